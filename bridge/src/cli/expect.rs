//! `"expect"` in a plugin fixture: what a call must give, compared with
//! what it gave (the JSON `smsdesk plugin run` prints) by partial matching.
//! An object names only the keys it cares about (others may be there too);
//! an array must have as many elements, each matched the same way; any
//! other value must be equal. Every difference is reported with where it
//! is (`ok.messages[0].body`), what was expected and what came.

use std::fmt;

use serde_json::Value;

/// One difference between the expected and the actual result.
#[derive(Debug, PartialEq)]
pub struct Mismatch {
    /// Where, e.g. `ok.messages[0].body` (empty: the whole result).
    pub path: String,
    pub expected: Value,
    /// What the call gave there; `None`: the key is missing.
    pub found: Option<Value>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() { "the result" } else { &self.path };
        match &self.found {
            Some(found) => write!(f, "{at}: expected {}, got {}", self.expected, found),
            None => write!(f, "{at}: expected {}, but there is no {at}", self.expected),
        }
    }
}

/// Every place where `actual` does not match `expected`, keys in order.
pub fn compare(expected: &Value, actual: &Value) -> Vec<Mismatch> {
    let mut out = Vec::new();
    walk(String::new(), expected, actual, &mut out);
    out
}

fn walk(path: String, expected: &Value, actual: &Value, out: &mut Vec<Mismatch>) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, want) in want {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match have.get(key) {
                    Some(have) => walk(path, want, have, out),
                    None => out.push(Mismatch {
                        path,
                        expected: want.clone(),
                        found: None,
                    }),
                }
            }
        }
        (Value::Array(want), Value::Array(have)) if want.len() == have.len() => {
            for (i, (want, have)) in want.iter().zip(have).enumerate() {
                walk(format!("{path}[{i}]"), want, have, out);
            }
        }
        _ if expected == actual => {}
        _ => out.push(Mismatch {
            path,
            expected: expected.clone(),
            found: Some(actual.clone()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_keys_given_are_compared() {
        let actual = json!({ "ok": { "messages": [{ "from": "+1555", "body": "hi", "media": [] }] }, "x": 1 });
        assert!(compare(&json!({ "ok": { "messages": [{ "body": "hi" }] } }), &actual).is_empty());
        assert!(compare(&json!({}), &actual).is_empty());
    }

    #[test]
    fn each_difference_names_its_key() {
        let actual = json!({ "ok": { "messages": [{ "body": "hello" }] }, "pick": 2 });
        let found = compare(
            &json!({ "ok": { "messages": [{ "body": "hi" }] }, "pick": 1, "agent_id": 7 }),
            &actual,
        );
        let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "agent_id: expected 7, but there is no agent_id",
                "ok.messages[0].body: expected \"hi\", got \"hello\"",
                "pick: expected 1, got 2",
            ]
        );
    }

    #[test]
    fn arrays_must_have_as_many_elements() {
        let found = compare(&json!({ "texts": ["a"] }), &json!({ "texts": ["a", "b"] }));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].to_string(), "texts: expected [\"a\"], got [\"a\",\"b\"]");
        // A scalar where an object was expected is one difference, not a panic.
        assert_eq!(compare(&json!({ "ok": { "a": 1 } }), &json!({ "ok": 3 })).len(), 1);
    }
}
