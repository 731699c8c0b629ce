//! The official SARIF 2.1.0 schema (vendored in tests/fixtures/sarif) as a validator, for the
//! tests of every command that writes SARIF.

// Each test file uses a part.
#![allow(dead_code)]

use std::path::Path;

use serde_json::Value;

/// The schema's BCP-47 `language` pattern has a stray `]` (a known erratum) that a strict regex
/// engine refuses; that one keyword is dropped so every other format and pattern is checked.
const BROKEN_LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn drop_broken_language_pattern(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("pattern").and_then(Value::as_str) == Some(BROKEN_LANGUAGE_PATTERN) {
                map.remove("pattern");
            }
            map.values_mut().for_each(drop_broken_language_pattern);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_broken_language_pattern),
        _ => {}
    }
}

pub fn validator() -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/sarif/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    drop_broken_language_pattern(&mut schema);
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the vendored schema compiles")
}

/// Every schema error, as text.
pub fn errors(sarif: &Value) -> Vec<String> {
    validator()
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}
