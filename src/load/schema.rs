//! The JSON Schema of the spec language: generation from [`crate::spec::Spec`], the
//! committed copy embedded in the binary, and validation of a parsed tree with every error
//! pointed at the exact YAML node.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::tree::{self, Node};
use crate::diag::{Code, Diagnostic};
use crate::span::Spanned;
use crate::spec::Spec;

/// The committed schema (`schema/sloxide.schema.json`), the structural truth at run time.
pub const SCHEMA_JSON: &str = include_str!("../../schema/sloxide.schema.json");

/// Generates the schema from the spec types (what `schema/` must contain).
pub fn generate() -> String {
    let schema = schemars::schema_for!(Spec);
    let mut value = serde_json::to_value(&schema).expect("schema serializes");
    drop_null_alternatives(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("schema serializes");
    text.push('\n');
    text
}

/// Optional keys are simply not required in the spec language, so the `null`
/// alternatives schemars adds for `Option` fields are removed: they would also turn every
/// error inside an optional block into an unhelpful "matches none of anyOf".
fn drop_null_alternatives(v: &mut Value) {
    match v {
        Value::Object(obj) => {
            let is_null = |s: &Value| s.get("type").and_then(Value::as_str) == Some("null");
            if let Some(Value::Array(alts)) = obj.get("anyOf")
                && alts.len() == 2
                && alts.iter().any(is_null)
            {
                let keep = alts
                    .iter()
                    .find(|a| !is_null(a))
                    .cloned()
                    .unwrap_or(Value::Null);
                obj.remove("anyOf");
                if let Value::Object(inner) = keep {
                    for (k, val) in inner {
                        obj.entry(k).or_insert(val);
                    }
                }
            }
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types[0].clone();
                    obj.insert("type".into(), only);
                }
            }
            obj.values_mut().for_each(drop_null_alternatives);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_alternatives),
        _ => {}
    }
}

fn schema() -> &'static (Value, jsonschema::Validator) {
    static SCHEMA: OnceLock<(Value, jsonschema::Validator)> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let value: Value = serde_json::from_str(SCHEMA_JSON).expect("embedded schema is JSON");
        let validator = jsonschema::draft202012::new(&value).expect("embedded schema compiles");
        (value, validator)
    })
}

/// Validates `root` against the schema; one diagnostic per violation, at the node.
pub fn validate(root: &Spanned<Node>) -> Vec<Diagnostic> {
    let (schema_value, validator) = schema();
    let instance = root.value.to_json();
    let mut diags: Vec<Diagnostic> = Vec::new();
    // Bad words in one list (`days: [monday, tuesday]`) are one mistake: one error at the
    // first, naming them all.
    let mut lists: Vec<(Vec<String>, usize, Vec<String>)> = Vec::new();
    for err in validator.iter_errors(&instance) {
        let path = pointer_segments(err.instance_path().as_str());
        let subschema = resolve(schema_value, &pointer_segments(err.schema_path().as_str()));
        let in_list = path.last().is_some_and(|s| s.parse::<usize>().is_ok());
        let is_word = matches!(err.kind(), ValidationErrorKind::Enum { .. })
            || (matches!(
                err.kind(),
                ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. }
            ) && subschema.and_then(const_choices).is_some());
        if in_list && is_word {
            let parent = path[..path.len() - 1].to_vec();
            let word = word(err.instance());
            if let Some((_, at, words)) = lists.iter_mut().find(|(p, ..)| *p == parent) {
                words.push(word);
                let list = words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>();
                diags[*at].message = format!(
                    "{} are not allowed in {}",
                    list.join(", "),
                    display_path(&parent)
                );
                continue;
            }
            lists.push((parent, diags.len(), vec![word]));
        }
        diags.extend(to_diagnostics(
            root,
            &path,
            err.kind(),
            err.instance(),
            subschema,
        ));
    }
    diags.dedup();
    diags
}

fn to_diagnostics(
    root: &Spanned<Node>,
    path: &[String],
    kind: &ValidationErrorKind,
    instance: &Value,
    keyword_parent: Option<&Value>,
) -> Vec<Diagnostic> {
    let found = tree::find(root, path);
    let at = found.node.span;
    let where_ = display_path(path);
    let description = keyword_parent
        .and_then(|s| s.get("description"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let help = |d: Diagnostic| match &description {
        Some(text) => d.with_help(text.clone()),
        None => d,
    };
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed: Vec<String> = keyword_parent
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|key| {
                    let key_span = match &found.node.value {
                        Node::Map(entries) => entries
                            .iter()
                            .find(|(k, _)| &k.value == key)
                            .map(|(k, _)| k.span),
                        _ => None,
                    };
                    let d = Diagnostic::error(
                        Code::SchemaUnknownField,
                        key_span.unwrap_or(at),
                        format!("unknown key `{key}` in {where_}"),
                        "not a key of the spec language here",
                    );
                    match closest(key, &allowed) {
                        Some(best) => d.with_help(format!("did you mean `{best}`?")),
                        None => d.with_help(format!("allowed keys: {}", allowed.join(", "))),
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let label_span = found.key.unwrap_or(at);
            let code = if path.is_empty() && name == "apiVersion" {
                Code::SchemaApiVersion
            } else {
                Code::SchemaMissingField
            };
            vec![
                Diagnostic::error(
                    code,
                    label_span,
                    format!("missing key `{name}` in {where_}"),
                    format!("`{name}` is required here"),
                )
                .with_help(format!("add `{name}:` to {where_}")),
            ]
        }
        ValidationErrorKind::Constant { expected_value }
            if path.first().is_some_and(|p| p == "apiVersion") =>
        {
            vec![
                Diagnostic::error(
                    Code::SchemaApiVersion,
                    at,
                    format!("unsupported apiVersion {instance}"),
                    "unknown version",
                )
                .with_help(format!(
                    "this compiler reads apiVersion: {}",
                    expected_value.as_str().unwrap_or_default()
                )),
            ]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = type_names(kind);
            if expected.contains("boolean") && is_yaml11_bool(instance) {
                return vec![Diagnostic::error(
                    Code::YamlBoolean,
                    at,
                    format!("{instance} is not a boolean in YAML 1.2 ({where_})"),
                    "read as a string",
                )
                .with_help("write true or false; yes/no/on/off are strings in YAML 1.2 and mean different things to different tools")];
            }
            let d = Diagnostic::error(
                Code::SchemaType,
                at,
                format!("{where_} must be {expected}, found {}", json_type(instance)),
                format!("expected {expected}"),
            );
            let in_percentiles = path.iter().rev().nth(1).is_some_and(|p| p == "percentiles");
            if in_percentiles && instance.is_number() {
                return vec![d.with_help(format!(
                    "write percentiles as p{instance}, e.g. percentiles: [p95, p99]"
                ))];
            }
            if expected == "a mapping"
                && let Some(shape) = keyword_parent.and_then(|s| shape_of(s, &schema().0))
            {
                return vec![d.with_help(format!("write a map with these keys, e.g.\n{shape}"))];
            }
            vec![help(d)]
        }
        ValidationErrorKind::Enum { options } => {
            let choices: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(word).collect())
                .unwrap_or_default();
            vec![enum_diagnostic(at, instance, &where_, &choices)]
        }
        ValidationErrorKind::Pattern { .. } => vec![help(Diagnostic::error(
            Code::SchemaPattern,
            at,
            format!("{instance} is not a valid value for {where_}"),
            "wrong spelling",
        ))],
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            // Documented enums are generated as `oneOf` of `const` alternatives: report
            // them as a bad word with the allowed choices, not as a type mismatch.
            if let Some(choices) = keyword_parent.and_then(const_choices) {
                return vec![enum_diagnostic(at, instance, &where_, &choices)];
            }
            vec![help(Diagnostic::error(
                Code::SchemaType,
                at,
                format!("{instance} is not a valid value for {where_}"),
                "wrong kind of value",
            ))]
        }
        ValidationErrorKind::MinItems { limit } => vec![Diagnostic::error(
            Code::SchemaOther,
            at,
            format!("{where_} needs at least {limit} item(s)"),
            "too few items",
        )],
        ValidationErrorKind::MaxItems { limit } => vec![Diagnostic::error(
            Code::SchemaOther,
            at,
            format!("{where_} allows at most {limit} item(s)"),
            "too many items",
        )],
        other => vec![help(Diagnostic::error(
            Code::SchemaOther,
            at,
            format!("{where_}: {}", describe(other, instance)),
            "invalid value",
        ))],
    }
}

/// A small YAML example of the object `schema` describes: its required keys (or its
/// first few keys) with `...` values, so a list-for-a-map mistake shows the shape wanted.
fn shape_of(schema: &Value, root: &Value) -> Option<String> {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(root, &pointer_segments(r.trim_start_matches('#')))?,
        None => schema,
    };
    let props = schema.get("properties")?.as_object()?;
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let keys: Vec<&str> = if required.is_empty() {
        props.keys().map(String::as_str).take(3).collect()
    } else {
        required
    };
    (!keys.is_empty()).then(|| {
        keys.iter()
            .map(|k| format!("  {k}: ..."))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn enum_diagnostic(
    at: crate::span::Span,
    instance: &Value,
    where_: &str,
    choices: &[String],
) -> Diagnostic {
    let d = Diagnostic::error(
        Code::SchemaEnum,
        at,
        format!("{instance} is not allowed for {where_}"),
        "unknown value",
    );
    match instance.as_str().and_then(|s| closest(s, choices)) {
        Some(best) => d.with_help(format!(
            "did you mean `{best}`? allowed: {}",
            choices.join(", ")
        )),
        None => d.with_help(format!("allowed: {}", choices.join(", "))),
    }
}

/// The words of a `oneOf`/`anyOf` whose alternatives are all `const` strings.
fn const_choices(schema: &Value) -> Option<Vec<String>> {
    let alternatives = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    alternatives
        .iter()
        .map(|a| a.get("const").map(word))
        .collect()
}

fn word(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

fn describe(kind: &ValidationErrorKind, instance: &Value) -> String {
    match kind {
        ValidationErrorKind::Minimum { limit } => {
            format!("{instance} is below the minimum {limit}")
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("{instance} is above the maximum {limit}")
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("{instance} must be greater than {limit}")
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("{instance} must be less than {limit}")
        }
        ValidationErrorKind::MinLength { limit } => format!("must be at least {limit} characters"),
        ValidationErrorKind::MaxLength { limit } => format!("must be at most {limit} characters"),
        _ => format!("{instance} is not allowed here"),
    }
}

fn is_yaml11_bool(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "yes" | "no" | "on" | "off" | "y" | "n"
        )
    })
}

fn type_names(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(t) => article(&t.to_string()),
        TypeKind::Multiple(ts) => {
            let names: Vec<String> = ts.iter().map(|t| article(&t.to_string())).collect();
            names.join(" or ")
        }
    }
}

fn article(t: &str) -> String {
    match t {
        "object" => "a mapping".into(),
        "array" => "a list".into(),
        "integer" => "an integer".into(),
        "null" => "empty".into(),
        other => format!("a {other}"),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// `slos[0].objective`-style path for messages; `the document` for the root.
pub fn display_path(path: &[String]) -> String {
    if path.is_empty() {
        return "the document".into();
    }
    let mut out = String::new();
    for seg in path {
        if seg.parse::<usize>().is_ok() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    format!("`{out}`")
}

/// Splits a JSON pointer into unescaped segments.
fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The schema object that holds the failing keyword: follows `segments` (a keyword
/// location, `$ref` steps included) and drops the keyword itself.
fn resolve<'a>(root: &'a Value, segments: &[String]) -> Option<&'a Value> {
    let (_, parents) = segments.split_last()?;
    let mut node = root;
    for seg in parents {
        node = if seg == "$ref" {
            let target = node.get("$ref")?.as_str()?.strip_prefix('#')?;
            let mut n = root;
            for s in pointer_segments(target) {
                n = n.get(&s)?;
            }
            n
        } else if let Ok(i) = seg.parse::<usize>() {
            node.get(i).or_else(|| node.get(seg))?
        } else {
            node.get(seg)?
        };
    }
    Some(node)
}

/// The candidate closest to `word` by edit distance, if close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: &'a [String]) -> Option<&'a str> {
    let len = word.chars().count();
    let limit = |c: &str| 2.max(c.len() / 3);
    candidates
        .iter()
        // The distance is at least the length difference: skip candidates that cannot
        // be close, which also bounds the work for huge values.
        .filter(|c| len.abs_diff(c.chars().count()) <= limit(c))
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= limit(c))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
