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

    pub fn opt_currency(&mut self, key: &str) -> Result<Option<Currency>> {
        match self.opt_str(key)? {
            Some(s) => Ok(Some(Currency::parse(&self.field(key), &s)?)),
            None => Ok(None),
        }
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

// ---------------------------------------------------------------------------
// Typed requests: each command's arguments as a struct, read by `Args`
// (so every refusal keeps naming its field), with a field list for `--help`
// and the window's generated command list derived from the field types.

/// One field of a request, as `--help` and `ui/commands.js` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    /// The field's type in words: `id`, `text`, `money`, `csv|pdf`, ...
    pub ty: String,
    pub optional: bool,
}

impl Field {
    /// The field `name` of marker type `M` (`Opt<..>` makes it optional).
    pub fn of<M: Arg>(name: &'static str) -> Field {
        Field {
            name,
            ty: M::ty(),
            optional: M::OPTIONAL,
        }
    }

    /// `name: type` or `name?: type`, as `--help` prints it.
    pub fn describe(&self) -> String {
        let q = if self.optional { "?" } else { "" };
        format!("{}{q}: {}", self.name, self.ty)
    }
}

/// A command's request: read from the JSON arguments by `Args` (the caller
/// then refuses any field nobody read), and described field by field. A
/// reader reads every field before it answers, so that a validation error
/// names every bad field (`error::Collect`), not only the first.
pub trait Request: Sized {
    /// Whether `read` reads every field even when one is bad, so that a
    /// field it did not read is truly unknown and can be named with the bad
    /// ones. A reader that stops at its first error leaves this false: its
    /// unread fields are not called unknown then.
    const READS_EVERY_FIELD: bool = false;
    fn fields() -> Vec<Field>;
    fn read(args: &mut Args) -> Result<Self>;
}

/// A request with no fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoArgs;

impl Request for NoArgs {
    const READS_EVERY_FIELD: bool = true;
    fn fields() -> Vec<Field> {
        Vec::new()
    }
    fn read(_: &mut Args) -> Result<Self> {
        Ok(NoArgs)
    }
}

/// A kind of argument: how `Args` reads it, what it reads into, and its
/// name in `--help`.
pub trait Arg {
    type Value;
    const OPTIONAL: bool = false;
    fn ty() -> String;
    fn read(args: &mut Args, key: &str) -> Result<Self::Value>;
}

/// An argument that may also be left out (or `null`).
pub trait OptArg: Arg {
    fn read_opt(args: &mut Args, key: &str) -> Result<Option<Self::Value>>;
}

/// An optional argument of kind `M`.
pub struct Opt<M>(std::marker::PhantomData<M>);

impl<M: OptArg> Arg for Opt<M> {
    type Value = Option<M::Value>;
    const OPTIONAL: bool = true;
    fn ty() -> String {
        M::ty()
    }
    fn read(args: &mut Args, key: &str) -> Result<Self::Value> {
        M::read_opt(args, key)
    }
}

macro_rules! arg_kind {
    ($(#[$m:meta])* $name:ident, $value:ty, $ty:expr, $req:ident, $opt:ident) => {
        $(#[$m])*
        pub struct $name;
        impl Arg for $name {
            type Value = $value;
            fn ty() -> String {
                $ty.to_string()
            }
            fn read(args: &mut Args, key: &str) -> Result<$value> {
                args.$req(key)
            }
        }
        impl OptArg for $name {
            fn read_opt(args: &mut Args, key: &str) -> Result<Option<$value>> {
                args.$opt(key)
            }
        }
    };
}

arg_kind!(
    /// A database id (a whole number).
    Id, i64, "id", req_id, opt_id
);
arg_kind!(
    /// A one-line text: trimmed, at most 200 characters.
    Line, String, "text", req_line, opt_line
);
arg_kind!(
    /// A string taken as given (a file path, CSV text).
    Str, String, "string", req_str, opt_str
);
arg_kind!(
    /// An ISO 4217 currency code.
    CurrencyCode, Currency, "currency", req_currency, opt_currency
);

/// A multi-line text (notes, reasons, memos): always optional.
pub struct Text;
impl Arg for Text {
    type Value = Option<String>;
    const OPTIONAL: bool = true;
    fn ty() -> String {
        "text (multi-line)".into()
    }
    fn read(args: &mut Args, key: &str) -> Result<Option<String>> {
        args.opt_text(key)
    }
}

/// `true` or `false`, always optional (each command says its default).
pub struct Bool;
impl Arg for Bool {
    type Value = Option<bool>;
    const OPTIONAL: bool = true;
    fn ty() -> String {
        "true|false".into()
    }
    fn read(args: &mut Args, key: &str) -> Result<Option<bool>> {
        args.opt_bool(key)
    }
}

/// A whole number from `MIN` to `MAX`.
pub struct IntIn<const MIN: i64, const MAX: i64>;
impl<const MIN: i64, const MAX: i64> Arg for IntIn<MIN, MAX> {
    type Value = i64;
    fn ty() -> String {
        if MAX == i64::MAX {
            format!("integer >= {MIN}")
        } else {
            format!("integer {MIN}..{MAX}")
        }
    }
    fn read(args: &mut Args, key: &str) -> Result<i64> {
        args.req_int_in(key, MIN, MAX)
    }
}
impl<const MIN: i64, const MAX: i64> OptArg for IntIn<MIN, MAX> {
    fn read_opt(args: &mut Args, key: &str) -> Result<Option<i64>> {
        args.opt_int_in(key, MIN, MAX)
    }
}

/// A money amount in the request's currency: a decimal string, read by the
/// command once it knows the currency (described here for `--help`).
pub struct Money;
impl Arg for Money {
    type Value = ();
    fn ty() -> String {
        "money".into()
    }
    fn read(_: &mut Args, _: &str) -> Result<()> {
        Ok(())
    }
}

/// A JSON value described in words, read by the command itself.
pub trait Shape {
    const TY: &'static str;
}

/// A field read by hand (a nested object or array), described by `S`.
pub struct Raw<S>(std::marker::PhantomData<S>);
impl<S: Shape> Arg for Raw<S> {
    type Value = ();
    fn ty() -> String {
        S::TY.into()
    }
    fn read(_: &mut Args, _: &str) -> Result<()> {
        Ok(())
    }
}
impl<S: Shape> OptArg for Raw<S> {
    fn read_opt(_: &mut Args, _: &str) -> Result<Option<()>> {
        Ok(None)
    }
}

/// One word of a fixed set: an enum made by `crate::words!`.
pub struct Choice<E>(std::marker::PhantomData<E>);
impl<E: crate::words::Words> Arg for Choice<E> {
    type Value = E;
    fn ty() -> String {
        E::ALL
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join("|")
    }
    fn read(args: &mut Args, key: &str) -> Result<E> {
        let s = args.req_choice(key, E::STRS)?;
        Ok(E::from_known(s))
    }
}
impl<E: crate::words::Words> OptArg for Choice<E> {
    fn read_opt(args: &mut Args, key: &str) -> Result<Option<E>> {
        Ok(args.opt_choice(key, E::STRS)?.map(E::from_known))
    }
}

/// Declares a request struct read field by field, in order, by the kind of
/// each field: `request! { pub struct GetDeal { deal_id: Id } }` gives
/// `GetDeal { deal_id: i64 }`, its reader and its `--help` fields.
#[macro_export]
macro_rules! request {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* $field:ident : $kind:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone)]
        pub struct $name {
            $($(#[$fm])* pub $field: <$kind as $crate::args::Arg>::Value,)*
        }
        impl $crate::args::Request for $name {
            const READS_EVERY_FIELD: bool = true;
            fn fields() -> Vec<$crate::args::Field> {
                vec![$($crate::args::Field::of::<$kind>(stringify!($field))),*]
            }
            /// Reads every field, so that one answer names every bad one.
            #[allow(unused_variables, unused_mut)]
            fn read(args: &mut $crate::args::Args) -> $crate::error::Result<Self> {
                let mut all = $crate::error::Collect::default();
                $(let $field = all.take(<$kind as $crate::args::Arg>::read(args, stringify!($field)))?;)*
                all.finish()?;
                Ok($name { $($field: $crate::error::Collect::kept($field)?,)* })
            }
        }
    };
}
