//! Reading a command's JSON arguments field by field, so that every refusal
//! names the field it concerns, and unknown fields (typos) are refused too.

use crate::error::{Error, Result};
use crate::money::Currency;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Longest accepted single-line text (titles, names) and multi-line text.
pub const MAX_LINE: usize = 200;
pub const MAX_TEXT: usize = 10_000;

/// The arguments of one command. `finish()` refuses fields nobody read.
pub struct Args {
    map: Map<String, Value>,
    seen: BTreeSet<String>,
    prefix: String,
    /// The contents of the file named by `path`, read before the command's
    /// transaction began (see `commands::imports::preload`).
    preloaded: Option<String>,
}

impl Args {
    pub fn new(value: Value) -> Result<Args> {
        match value {
            Value::Object(map) => Ok(Args {
                map,
                seen: BTreeSet::new(),
                prefix: String::new(),
                preloaded: None,
            }),
            _ => Err(Error::Usage("arguments must be a JSON object".into())),
        }
    }

    fn nested(map: Map<String, Value>, prefix: String) -> Args {
        Args {
            map,
            seen: BTreeSet::new(),
            prefix,
            preloaded: None,
        }
    }

    /// The full name of a field, with its parents: `payment.percent`.
    pub fn field(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// A field's value without marking it read.
    pub(crate) fn peek(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Keeps text read on the command's behalf (a file's contents).
    pub(crate) fn set_preloaded(&mut self, text: String) {
        self.preloaded = Some(text);
    }

    pub(crate) fn take_preloaded(&mut self) -> Option<String> {
        self.preloaded.take()
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| !v.is_null())
    }

    fn take(&mut self, key: &str) -> Option<&Value> {
        self.seen.insert(key.to_string());
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn missing(&self, key: &str) -> Error {
        Error::validation(self.field(key), "is required")
    }

    fn wrong_type(&self, key: &str, expected: &str) -> Error {
        Error::validation(self.field(key), format!("must be {expected}"))
    }

    /// Refuses fields that no reader asked for.
    pub fn finish(&self) -> Result<()> {
        match self.map.keys().find(|k| !self.seen.contains(*k)) {
            Some(k) => Err(Error::validation(
                // An empty key still needs a visible name.
                format!("{}{}", self.prefix, if k.is_empty() { "\"\"" } else { k }),
                "is not a known field of this command",
            )),
            None => Ok(()),
        }
    }

    /// The raw JSON of a field, `null` included (for patches).
    pub fn raw(&mut self, key: &str) -> Option<Value> {
        self.seen.insert(key.to_string());
        self.map.get(key).cloned()
    }

    pub fn opt_str(&mut self, key: &str) -> Result<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong_type(key, "a string")),
        }
    }

    pub fn opt_bool(&mut self, key: &str) -> Result<Option<bool>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong_type(key, "true or false")),
        }
    }

    pub fn req_str(&mut self, key: &str) -> Result<String> {
        self.opt_str(key)?.ok_or_else(|| self.missing(key))
    }

    /// A required one-line text: trimmed, non-empty, no control characters.
    pub fn req_line(&mut self, key: &str) -> Result<String> {
        let s = self.req_str(key)?;
        check_text(&self.field(key), &s, MAX_LINE, false)
    }

    /// An optional one-line text; an empty string means none.
    pub fn opt_line(&mut self, key: &str) -> Result<Option<String>> {
        let f = self.field(key);
        self.opt_str(key)?
            .map(|s| check_text(&f, &s, MAX_LINE, true))
            .transpose()
            .map(|o| o.filter(|s| !s.is_empty()))
    }

    /// An optional multi-line text (description, note); empty means none.
    pub fn opt_text(&mut self, key: &str) -> Result<Option<String>> {
        let f = self.field(key);
        self.opt_str(key)?
            .map(|s| check_multiline(&f, &s))
            .transpose()
            .map(|o| o.filter(|s| !s.is_empty()))
    }

    pub fn opt_i64(&mut self, key: &str) -> Result<Option<i64>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(Value::Number(n)) if n.is_u64() => {
                Err(Error::validation(self.field(key), "is too large"))
            }
            Some(_) => Err(self.wrong_type(key, "a whole number")),
        }
    }

    pub fn req_i64(&mut self, key: &str) -> Result<i64> {
        self.opt_i64(key)?.ok_or_else(|| self.missing(key))
    }

    /// An integer between `min` and `max` inclusive.
    pub fn opt_int_in(&mut self, key: &str, min: i64, max: i64) -> Result<Option<i64>> {
        match self.opt_i64(key)? {
            Some(v) if v < min => Err(Error::validation(
                self.field(key),
                format!("must be at least {min}"),
            )),
            Some(v) if v > max => Err(Error::validation(
                self.field(key),
                format!("must be at most {max}"),
            )),
            other => Ok(other),
        }
    }

    pub fn req_int_in(&mut self, key: &str, min: i64, max: i64) -> Result<i64> {
        self.opt_int_in(key, min, max)?
            .ok_or_else(|| self.missing(key))
    }

    /// A database id: any whole number (one that names nothing is
    /// `not_found` where it is looked up).
    pub fn req_id(&mut self, key: &str) -> Result<i64> {
        self.req_i64(key)
    }

    pub fn opt_id(&mut self, key: &str) -> Result<Option<i64>> {
        self.opt_i64(key)
    }

    /// One of a fixed set of words.
    pub fn opt_choice(
        &mut self,
        key: &str,
        choices: &[&'static str],
    ) -> Result<Option<&'static str>> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => choices
                .iter()
                .find(|c| **c == s)
                .copied()
                .map(Some)
                .ok_or_else(|| {
                    Error::validation(
                        self.field(key),
                        format!("must be one of {}", choices.join(", ")),
                    )
                }),
        }
    }

    pub fn req_choice(&mut self, key: &str, choices: &[&'static str]) -> Result<&'static str> {
        self.opt_choice(key, choices)?
            .ok_or_else(|| self.missing(key))
    }

    pub fn req_currency(&mut self, key: &str) -> Result<Currency> {
        let s = self.req_str(key)?;
        Currency::parse(&self.field(key), &s)
    }

    /// A positive money amount as a decimal string (never a JSON number).
    pub fn req_money(&mut self, key: &str, currency: Currency) -> Result<i64> {
        let f = self.field(key);
        match self.take(key) {
            None => Err(self.missing(key)),
            Some(Value::String(s)) => currency.parse_positive(&f, s),
            Some(Value::Number(_)) => Err(Error::validation(
                f,
                "must be a decimal string like \"12.50\", not a JSON number",
            )),
            Some(_) => Err(self.wrong_type(key, "a decimal string like \"12.50\"")),
        }
    }

    /// A JSON array, each element handed to `each` with its full field name.
    pub fn opt_array<T>(
        &mut self,
        key: &str,
        mut each: impl FnMut(&str, &Value) -> Result<T>,
    ) -> Result<Option<Vec<T>>> {
        let f = self.field(key);
        match self.take(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| each(&format!("{f}[{i}]"), v))
                .collect::<Result<Vec<T>>>()
                .map(Some),
            Some(_) => Err(self.wrong_type(key, "an array")),
        }
    }

    /// A nested object read with its own `Args` (field names get the prefix).
    pub fn opt_object(&mut self, key: &str) -> Result<Option<Args>> {
        let f = self.field(key);
        match self.take(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Args::nested(m.clone(), format!("{f}.")))),
            Some(_) => Err(self.wrong_type(key, "an object")),
        }
    }

    pub fn req_object(&mut self, key: &str) -> Result<Args> {
        self.opt_object(key)?.ok_or_else(|| self.missing(key))
    }

    /// Reads an element of an array as an object with its own field names.
    pub fn element(field: &str, v: &Value) -> Result<Args> {
        match v {
            Value::Object(m) => Ok(Args::nested(m.clone(), format!("{field}."))),
            _ => Err(Error::validation(field, "must be an object")),
        }
    }
}

/// Checks a one-line text: trims it, refuses control characters, empty
/// (unless `allow_empty`) and overlong values.
pub fn check_text(field: &str, s: &str, max: usize, allow_empty: bool) -> Result<String> {
    let t = s.trim();
    if t.is_empty() && !allow_empty {
        return Err(Error::validation(field, "must not be empty"));
    }
    if t.chars().any(char::is_control) {
        return Err(Error::validation(
            field,
            "must not contain control characters",
        ));
    }
    if t.chars().count() > max {
        return Err(Error::validation(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(t.to_string())
}

/// Checks a multi-line text: tabs and line breaks are fine, other control
/// characters are not.
pub fn check_multiline(field: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::validation(
            field,
            "must not contain control characters",
        ));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(Error::validation(
            field,
            format!("must be at most {MAX_TEXT} characters"),
        ));
    }
    Ok(t.to_string())
}

/// Reads a string element of an array as a one-line text.
pub fn line_element(field: &str, v: &Value) -> Result<String> {
    match v {
        Value::String(s) => check_text(field, s, MAX_LINE, false),
        _ => Err(Error::validation(field, "must be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_unknown_empty_field_is_named_visibly() {
        // Found by the dispatch fuzz target: `{"": "A"}` gave the message
        // ": is not a known field" with an empty field.
        let args = Args::new(json!({"": "A"})).unwrap();
        let e = args.finish().unwrap_err();
        assert_eq!(e.to_string(), "\"\": is not a known field of this command");
        let mut args = Args::new(json!({"payment": {"": 1}})).unwrap();
        let inner = args.req_object("payment").unwrap();
        assert_eq!(
            inner.finish().unwrap_err().to_string(),
            "payment.\"\": is not a known field of this command"
        );
    }
}
