//! The error budget arithmetic of the model, checked against hand-computed values from the
//! SRE Workbook and the scenarios.

use std::path::PathBuf;

use rust_decimal::Decimal;
use sloxide::model::{Duration, Model, Slo};

fn model() -> Model {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    sloxide::cli::check(&[examples])
        .model
        .expect("examples are valid")
}

fn slo<'m>(model: &'m Model, service: &str, name: &str) -> &'m Slo {
    let s = model.services.iter().find(|s| s.name == service).unwrap();
    s.slos.iter().find(|o| o.name == name).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn ninety_nine_nine_over_thirty_days() {
    let m = model();
    let o = slo(&m, "hello-api", "availability");
    assert_eq!(o.error_budget().0, dec("0.001"));
    assert_eq!(o.budget_time(), Duration::from_secs(2592));
    assert_eq!(o.budget_time().human(), "43m 12s");
    let page = &o.alerting.alerts[0];
    assert_eq!(page.burn_rate, dec("14.4"));
    assert_eq!(o.alert_threshold(page), dec("0.0144"));
    // 14.4 × 0.001 × 3600 s = 51.84 s
    assert_eq!(o.detection_time(page), Duration::from_millis(51_840));
    assert_eq!(o.detection_time(page).human(), "52s");
    // 14.4 × 1h / 720h = 2% of the budget
    assert_eq!(o.budget_consumed(page), dec("0.02"));
    assert_eq!(o.time_to_exhaustion(dec("14.4")).human(), "2d 2h");
    let ids: Vec<String> = o.alerting.alerts.iter().map(|a| a.id()).collect();
    assert_eq!(ids, ["page-1h", "page-6h", "ticket-1d", "ticket-3d"]);
}

#[test]
fn custom_table_and_ninety_percent_objective() {
    let m = model();
    let o = slo(&m, "securities-deposit", "deposit-within-60s");
    assert_eq!(o.objective.percent(), "90%");
    assert_eq!(o.window, Duration::from_secs(28 * 86_400));
    assert_eq!(o.alerting.min_events, Some(50));
    for a in &o.alerting.alerts {
        assert!(o.alert_can_fire(a), "{} must be able to fire", a.id());
    }
    // the journey's exclusion window reaches the SLO
    assert_eq!(o.exclusions.len(), 1);
    assert_eq!(o.exclusions[0].timezone, "Asia/Tokyo");
}

#[test]
fn journey_bound_is_the_product_of_distinct_dependency_slas() {
    let m = model();
    let card = m
        .services
        .iter()
        .find(|s| s.name == "card-platform")
        .unwrap();
    let repay = card.journey("repayment").unwrap();
    // 0.9968 × 0.9995 × 0.9995 × 0.9999³ (ATM network, API Gateway, Lambda, ELB, Fargate, Aurora)
    let expected = dec("0.9968")
        * dec("0.9995")
        * dec("0.9995")
        * dec("0.9999")
        * dec("0.9999")
        * dec("0.9999");
    assert_eq!(repay.availability_bound.unwrap().0, expected.normalize());
    assert_eq!(
        sloxide::model::Ratio(expected.round_dp(4)).percent(),
        "99.55%"
    );
}

#[test]
fn bands_classify_like_the_card_team() {
    let m = model();
    let o = slo(&m, "card-platform", "repayment-availability");
    let bands = o.bands.unwrap();
    let r = |s: &str| sloxide::model::Ratio(dec(s));
    use sloxide::model::Band::*;
    assert_eq!(bands.classify(r("0.99995")), Green);
    assert_eq!(bands.classify(r("0.99993")), Yellow);
    assert_eq!(bands.classify(r("0.9999")), Red);
    assert_eq!(bands.classify(r("0.99")), Red);
}

#[test]
fn readme_quickstart_is_a_valid_spec() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let start = readme
        .find("```yaml\napiVersion: sloxide/v1")
        .expect("README has the quick-start spec")
        + "```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let mut loaded = sloxide::load::Loaded::default();
    sloxide::load::load_text(
        &mut loaded,
        "README.md".into(),
        readme.as_bytes()[start..end].to_vec(),
    );
    let checked = sloxide::validate::check(loaded);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    assert_eq!(
        checked.model.unwrap().services[0].slos[0].name,
        "availability"
    );
}
