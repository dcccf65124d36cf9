//! The committed JSON Schema must be exactly what the spec types generate.
//! Regenerate with `SLOXIDE_UPDATE_SCHEMA=1 cargo test --test schema_sync`.

#[test]
fn committed_schema_matches_the_spec_types() {
    let generated = sloxide::load::schema::generate();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/sloxide.schema.json");
    if std::env::var_os("SLOXIDE_UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        committed == generated,
        "schema/sloxide.schema.json is out of date with src/spec; run SLOXIDE_UPDATE_SCHEMA=1 cargo test --test schema_sync and review the diff"
    );
}

#[test]
fn schema_is_draft_2020_12_and_compiles() {
    let value: serde_json::Value =
        serde_json::from_str(sloxide::load::schema::SCHEMA_JSON).unwrap();
    assert_eq!(
        value["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(jsonschema::draft202012::new(&value).is_ok());
    assert_eq!(value["properties"]["apiVersion"]["const"], "sloxide/v1");
}
