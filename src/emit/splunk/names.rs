//! Names of the generated saved searches, app and dashboard. Service and SLO names are
//! identifiers (lowercase slugs), so every name here is safe in a stanza header, a REST
//! path and a Simple XML `ref`.

use crate::model::{BurnRateAlert, Service, Slo};

/// The app directory (and `app.conf` id) of a service: `sloxide_<service>` with `-`
/// spelled `_`, so no service name can coincide with one of Splunk's own apps (`search`,
/// `launcher`, …) or another vendor's, and the id has only the letters, digits, `.` and `_`
/// that `app.conf.spec` allows for `[package] id` (validation keeps it unique).
pub fn app(service: &Service) -> String {
    format!("sloxide_{}", service.name.replace('-', "_"))
}

/// The dashboard view name (letters, digits and `_` only, as Splunk view names are).
pub fn view(service: &Service) -> String {
    format!("sloxide_{}", service.name.replace('-', "_"))
}

/// The burn-rate alert search of one policy row.
pub fn alert(service: &Service, slo: &Slo, alert: &BurnRateAlert) -> String {
    format!("sloxide:{}:{}:burn:{}", service.name, slo.name, alert.id())
}

/// The daily SLO report search.
pub fn report(service: &Service, slo: &Slo) -> String {
    format!("sloxide:{}:{}:report", service.name, slo.name)
}

/// The dashboard trend search.
pub fn trend(service: &Service, slo: &Slo) -> String {
    format!("sloxide:{}:{}:trend", service.name, slo.name)
}

/// The duration-bucket search of a journey duration SLO.
pub fn buckets(service: &Service, slo: &Slo) -> String {
    format!("sloxide:{}:{}:duration-buckets", service.name, slo.name)
}
