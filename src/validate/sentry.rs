//! Sentry-specific checks: project slugs (they become file paths and API paths) and the
//! queries that issue alerts turn into per-field filters.

use super::ctx::Ctx;
use crate::diag::Code;
use crate::model::search;
use crate::span::Spanned;

/// Reports a project that is not a Sentry project slug.
pub fn project(ctx: &mut Ctx, project: &Spanned<String>) {
    if !search::is_project_slug(&project.value) {
        ctx.error(
            Code::SentryProject,
            project.span,
            format!("`{}` is not a Sentry project slug", project.value),
            "not a slug",
            "write the project slug as Sentry shows it: lowercase letters, digits, `-` and `_`, at most 50 characters",
        );
    }
}

/// Reports a query that issue-alert filters cannot express.
pub fn filter_query(ctx: &mut Ctx, query: &Spanned<String>) {
    if let Err(why) = search::filter_terms(&query.value) {
        ctx.error(
            Code::SentryQuery,
            query.span,
            format!("this Sentry query cannot become issue-alert filters: {why}"),
            "not expressible as filters",
            "use space-separated `key:value` terms (optionally `!key:value`, quoted values, `*` at either end)",
        );
    }
}

/// Reports a metric-alert query whose parentheses or quotes do not pair up: sloxide
/// scopes such queries (`is_transaction:true (<query>)`), and an unbalanced query could
/// escape that scope.
pub fn metric_query(ctx: &mut Ctx, query: &Spanned<String>) {
    if let Err(why) = search::balanced(&query.value) {
        ctx.error(
            Code::SentryQuery,
            query.span,
            format!("this Sentry query is not balanced: {why}"),
            "unbalanced",
            "close every `(` and `\"` inside the query; sloxide wraps the query in its own parentheses",
        );
    }
}
