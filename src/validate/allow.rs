//! `allow:` of an SLO: which warnings it acknowledges, and the acknowledgements that no
//! longer match anything.

use super::ctx::Ctx;
use crate::diag::Code;
use crate::model::{Allowed, Slo};
use crate::spec;

/// The acknowledgements of `o`; an entry whose code is not an acknowledgeable warning, or
/// whose reason is empty, is an error.
pub fn resolve(ctx: &mut Ctx, o: &spec::Slo) -> Vec<Allowed> {
    let mut out: Vec<Allowed> = Vec::new();
    let names: Vec<&str> = Code::ACKNOWLEDGEABLE.iter().map(|c| c.as_str()).collect();
    for a in &o.allow {
        let Some(code) = Code::ACKNOWLEDGEABLE
            .iter()
            .copied()
            .find(|c| c.as_str() == a.code.value)
        else {
            let what = if Code::ALL.iter().any(|c| c.as_str() == a.code.value) {
                "is not a warning an SLO can acknowledge"
            } else {
                "is not a sloxide diagnostic code"
            };
            ctx.error(
                Code::AllowCode,
                a.code.span,
                format!("`{}` {what}", a.code.value),
                "not acknowledgeable",
                format!(
                    "use one of {}; errors cannot be acknowledged",
                    names.join(", ")
                ),
            );
            continue;
        };
        if a.reason.value.trim().is_empty() {
            ctx.error(
                Code::AllowCode,
                a.reason.span,
                "an acknowledgement needs a reason",
                "empty",
                "say why the warning is acceptable, e.g. reason: \"agreed with the product owner on 2026-11-02\"",
            );
            continue;
        }
        if out.iter().any(|x| x.code == code) {
            ctx.error(
                Code::AllowCode,
                a.code.span,
                format!("`{}` is acknowledged twice for this SLO", a.code.value),
                "again",
                "keep one entry per code",
            );
            continue;
        }
        out.push(Allowed {
            code,
            reason: a.reason.value.clone(),
            span: ctx.at(a.code.span),
        });
    }
    out
}

/// Warns about every acknowledgement of `slo` with a code in `codes` that `used` does not
/// hold: the warning it acknowledged no longer occurs.
pub fn unused(slo: &Slo, codes: &[Code], used: &[Code]) -> Vec<crate::diag::Diagnostic> {
    unused_of(&slo.name, &slo.allow, codes, used)
}

/// [`unused`] for the acknowledgements `allow` of the SLO named `slo`.
pub fn unused_of(
    slo: &str,
    allow: &[Allowed],
    codes: &[Code],
    used: &[Code],
) -> Vec<crate::diag::Diagnostic> {
    allow
        .iter()
        .filter(|a| codes.contains(&a.code) && !used.contains(&a.code))
        .map(|a| {
            crate::diag::Diagnostic::warning(
                Code::AllowUnused,
                a.span,
                format!(
                    "SLO `{slo}` acknowledges `{}`, but that warning no longer occurs",
                    a.code.as_str()
                ),
                "nothing to acknowledge",
            )
            .with_help("remove this `allow:` entry")
        })
        .collect()
}
