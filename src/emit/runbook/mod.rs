//! The runbook backend: one Markdown runbook per service (`runbook/<service>.md`) and an
//! index (`runbook/README.md`), rendered from minijinja templates over a context built
//! from the model (see [`context`] for the fields templates can use).

mod context;
pub(crate) mod escape;
mod templates;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Emitted, Options, OutputFile, naming};
use crate::model::{Model, Service};

/// Date of the worked incident-channel example when none is given: fixed, so the output
/// does not change from day to day.
pub const DEFAULT_EXAMPLE_DATE: NaiveDate = NaiveDate::from_ymd_opt(2025, 4, 1).expect("a date");

/// Path of the runbook index in the output directory.
pub const INDEX_PATH: &str = "runbook/README.md";

/// Emits every service's runbook and the index; template problems go to `out.errors`.
pub fn emit(model: &Model, options: &Options, out: &mut Emitted) {
    let date = options.example_date.unwrap_or(DEFAULT_EXAMPLE_DATE);
    let env = match templates::environment(options.templates.as_deref()) {
        Ok(env) => env,
        Err(e) => {
            out.errors.push(format!("runbook: {e:#}"));
            return;
        }
    };
    let mut contexts = Vec::new();
    for service in &model.services {
        let ctx = context::build(
            service,
            &super::catalogue(service, options),
            &super::lossy(service),
        );
        match render_service(&env, service, &ctx, date) {
            Ok(text) => out.files.push(OutputFile {
                path: naming::runbook_path(service),
                contents: text,
            }),
            Err(e) => out.errors.push(e),
        }
        contexts.push(ctx);
    }
    match render(
        &env,
        "index.md.j2",
        &Index {
            services: &contexts,
        },
    ) {
        Ok(text) => out.files.push(OutputFile {
            path: INDEX_PATH.into(),
            contents: text,
        }),
        Err(e) => out.errors.push(e),
    }
}

#[derive(Serialize)]
struct Index<'a> {
    services: &'a [context::ServiceCtx],
}

#[derive(Serialize)]
struct Page<'a> {
    service: &'a context::ServiceCtx,
    example: context::ExampleCtx,
}

fn render_service(
    env: &minijinja::Environment<'static>,
    service: &Service,
    ctx: &context::ServiceCtx,
    date: NaiveDate,
) -> Result<String, String> {
    let page = Page {
        service: ctx,
        example: context::ExampleCtx::new(service, date),
    };
    render(env, "service.md.j2", &page).map_err(|e| format!("{} ({})", e, service.name))
}

fn render<T: Serialize>(
    env: &minijinja::Environment<'static>,
    name: &str,
    ctx: &T,
) -> Result<String, String> {
    env.get_template(name)
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(ctx))))
        .map(|text| templates::tidy(&text))
        .map_err(|e| format!("runbook: template `{name}`: {e:#}"))
}

/// Renders the runbook of `service` against an explicit catalogue (for tests that feed
/// synthetic backend entries).
#[cfg(test)]
fn render_with(
    service: &Service,
    catalogue: &[super::CatalogueEntry],
    options: &Options,
) -> Result<String, String> {
    let env = templates::environment(options.templates.as_deref()).map_err(|e| e.to_string())?;
    let ctx = context::build(service, catalogue, &super::lossy(service));
    render_service(&env, service, &ctx, DEFAULT_EXAMPLE_DATE)
}
