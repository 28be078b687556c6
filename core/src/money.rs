//! Exact money: ISO 4217 currencies with their minor units, amounts held as
//! integer minor units (`i64`), parsed from and printed as decimal strings.
//! Nothing here ever touches a float.

use crate::error::{Error, Result};
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// The largest amount accepted anywhere, in minor units: 10^15, which keeps
/// every product and sum the core computes far inside `i64`.
pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

/// An ISO 4217 currency that has minor units (so not XAU, XDR, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

impl Currency {
    /// Parses a three-letter code, case-insensitively (`"usd"` is USD).
    pub fn parse(field: &str, code: &str) -> Result<Currency> {
        let upper = code.to_ascii_uppercase();
        let c = iso_currency::Currency::from_code(&upper)
            .filter(|_| upper.len() == 3)
            .ok_or_else(|| {
                Error::validation(field, format!("{code:?} is not an ISO 4217 currency code"))
            })?;
        let exponent = c.exponent().ok_or_else(|| {
            Error::validation(
                field,
                format!("{upper} has no minor unit and cannot hold prices"),
            )
        })?;
        Ok(Currency {
            code: c.code(),
            exponent: u32::from(exponent),
        })
    }

    /// A currency read back from the database, where it was validated.
    pub fn stored(code: &str) -> Result<Currency> {
        Currency::parse("currency", code)
            .map_err(|_| Error::Storage(format!("unknown currency {code:?} in the database")))
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Number of decimals: USD 2, JPY 0, KWD 3.
    pub fn exponent(&self) -> u32 {
        self.exponent
    }

    /// Prints minor units with exactly the currency's decimals: `"29500.00"`.
    pub fn format(&self, minor: i64) -> String {
        Decimal::new(minor, self.exponent).to_string()
    }

    /// Prints minor units as people read them, digits grouped: "30,000.00".
    pub fn format_grouped(&self, minor: i64) -> String {
        group_digits(&self.format(minor))
    }

    /// Prints a wide amount (a quantity times a price may pass `i64`).
    pub fn format_wide(&self, minor: i128) -> String {
        Decimal::from_i128_with_scale(minor, self.exponent).to_string()
    }

    /// Parses a positive amount (`> 0`) given as a decimal string.
    pub fn parse_positive(&self, field: &str, text: &str) -> Result<i64> {
        let v = self.parse_amount(field, text)?;
        if v == 0 {
            return Err(Error::validation(field, "must be greater than 0"));
        }
        Ok(v)
    }

    /// Parses an amount `>= 0`: plain digits with an optional decimal point,
    /// no sign, no exponent, no spaces, at most the currency's decimals
    /// (extra zeros are fine: "2500.00" JPY is 2500).
    pub fn parse_amount(&self, field: &str, text: &str) -> Result<i64> {
        let plain = ungroup(field, text)?;
        let d = parse_plain_decimal(field, &plain)?;
        let normalized = d.normalize();
        if normalized.scale() > self.exponent {
            return Err(Error::validation(
                field,
                format!(
                    "{text:?} has more decimals than {} allows ({})",
                    self.code, self.exponent
                ),
            ));
        }
        let scaled = normalized
            .checked_mul(Decimal::from(10_i64.pow(self.exponent)))
            .ok_or_else(|| too_large(field))?;
        let minor = i64::try_from(scaled.normalize().mantissa()).map_err(|_| too_large(field))?;
        if minor > MAX_MINOR {
            return Err(too_large(field));
        }
        Ok(minor)
    }
}

fn too_large(field: &str) -> Error {
    Error::validation(field, "amount is too large")
}

/// "-24800.00" -> "-24,800.00": thousands grouped in a printed decimal
/// (anything else is returned as it is).
pub fn group_digits(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// The separators people write in amounts (a space, a no-break space, a
/// narrow no-break space).
const SPACES: [char; 3] = [' ', '\u{a0}', '\u{202f}'];

/// Whether `s` is digit groups of three after a first group of 1 to 3
/// digits, separated by `sep` ("1,000,000" for ',').
fn grouped(s: &str, sep: impl Fn(char) -> bool) -> bool {
    let mut parts = s.split(sep);
    let first = parts.next().unwrap_or_default();
    let digits = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let rest: Vec<&str> = parts.collect();
    digits(first, 1..=3) && !rest.is_empty() && rest.iter().all(|p| digits(p, 3..=3))
}

/// An amount as people write it, made plain where that is unambiguous:
/// digit groups with commas and a decimal point ("1,000.00"), with spaces
/// and a point or a decimal comma ("1 000,00", "1 000.00"), with points and
/// a decimal comma ("1.000,00"), or a decimal comma alone ("12,50"). A comma
/// followed by exactly three digits and nothing else ("1,000": a thousand,
/// or one with three decimals?) is refused as ambiguous. Text without a
/// comma or a space is returned as it is, for `parse_plain_decimal`.
pub fn ungroup(field: &str, text: &str) -> Result<String> {
    if !text.contains(|c| c == ',' || SPACES.contains(&c)) {
        return Ok(text.to_string());
    }
    let bad = || {
        Error::validation(
            field,
            format!(
                "{:?} is not an amount like \"1,000.00\", \"1 000,00\" or \"1000.00\"",
                truncate(text)
            ),
        )
    };
    // One comma, three digits after it, no point: a thousand or one?
    if let Some((before, after)) = text.split_once(',') {
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !text.contains('.') && digits(before) && digits(after) && after.len() == 3 {
            return Err(Error::validation(
                field,
                format!(
                    "{:?} is ambiguous: write {before}{after} (a thousand-like amount) or {before}.{after} (decimals)",
                    truncate(text)
                ),
            ));
        }
    }
    let (int, frac, decimal_comma) = match (text.rfind('.'), text.rfind(',')) {
        (Some(p), Some(c)) if p > c => (&text[..p], Some(&text[p + 1..]), false),
        (Some(_), Some(c)) => (&text[..c], Some(&text[c + 1..]), true),
        (Some(p), None) => (&text[..p], Some(&text[p + 1..]), false),
        (None, Some(c)) if !grouped(text, |ch| ch == ',') => {
            (&text[..c], Some(&text[c + 1..]), true)
        }
        (None, _) => (text, None, false),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad());
    }
    let int_plain = if int.bytes().all(|b| b.is_ascii_digit()) {
        int.to_string()
    } else if grouped(int, |c| SPACES.contains(&c))
        || (!decimal_comma && grouped(int, |c| c == ','))
        || (decimal_comma && grouped(int, |c| c == '.'))
    {
        int.chars().filter(char::is_ascii_digit).collect()
    } else {
        return Err(bad());
    };
    if int_plain.is_empty() {
        return Err(bad());
    }
    Ok(match frac {
        Some(f) => format!("{int_plain}.{f}"),
        None => int_plain,
    })
}

/// A non-negative decimal written as digits with an optional single point
/// ("12", "12.5", "0.125"); anything else (signs, exponents, spaces,
/// "NaN", "Infinity", "5.", ".5") is refused with a message naming `field`.
pub fn parse_plain_decimal(field: &str, text: &str) -> Result<Decimal> {
    let bad = || {
        Error::validation(
            field,
            format!(
                "{:?} is not a decimal amount like \"12.50\"",
                truncate(text)
            ),
        )
    };
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(bad());
    }
    // 28 significant digits is rust_decimal's limit: refuse rather than let
    // it round (an amount must be read exactly or not at all).
    let int_digits = int.trim_start_matches('0').len();
    let frac_digits = frac.map_or(0, str::len);
    if int_digits > 18 || frac_digits > 18 || int_digits + frac_digits > 28 {
        return Err(too_large_or_precise(field));
    }
    Decimal::from_str(text).map_err(|_| bad())
}

fn too_large_or_precise(field: &str) -> Error {
    Error::validation(field, "has too many digits")
}

fn truncate(text: &str) -> String {
    if text.chars().count() > 40 {
        let mut s: String = text.chars().take(40).collect();
        s.push('…');
        s
    } else {
        text.to_string()
    }
}

/// A percentage given as a decimal string, with its bounds checked by the caller.
pub fn parse_percent(field: &str, text: &str) -> Result<Decimal> {
    let d = parse_plain_decimal(field, text)?.normalize();
    if d.scale() > 6 {
        return Err(Error::validation(field, "at most 6 decimals"));
    }
    Ok(d)
}

/// `round(minor x percent / 100)` to the minor unit, half away from zero
/// (0.125 -> 0.13), as SPEC section 1 requires for deposits.
pub fn percent_of(minor: i64, percent: Decimal) -> i64 {
    let exact = Decimal::from(minor) * percent / Decimal::ONE_HUNDRED;
    let rounded = exact.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(rounded.mantissa()).expect("percent of an amount below MAX_MINOR fits i64")
}

/// `a + b` for a sum of money: an error, never a wrap (nor, with the release
/// profile's overflow checks, a panic), when a total leaves the i64 range.
/// Amounts entered are at most `MAX_MINOR`, so only a very long history or a
/// file that does not hold what the app writes gets there: `storage`.
pub fn add(a: i64, b: i64) -> Result<i64> {
    a.checked_add(b)
        .ok_or_else(|| Error::Storage("a total of amounts is too large to compute".into()))
}

/// The sum of amounts, checked like `add`.
pub fn sum(amounts: impl IntoIterator<Item = i64>) -> Result<i64> {
    amounts.into_iter().try_fold(0, add)
}

/// `price x quantity` in minor units, refusing what would not fit.
pub fn times(field: &str, price: i64, quantity: i64) -> Result<i64> {
    price
        .checked_mul(quantity)
        .filter(|v| *v <= MAX_MINOR * 1000)
        .ok_or_else(|| Error::validation(field, "price x quantity is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_people_write_them() {
        let ok = |t: &str| ungroup("amount", t).unwrap();
        assert_eq!(ok("1,000.00"), "1000.00");
        assert_eq!(ok("1,234,567.5"), "1234567.5");
        assert_eq!(ok("1 000,00"), "1000.00");
        assert_eq!(ok("1\u{a0}000.00"), "1000.00");
        assert_eq!(ok("12\u{202f}345"), "12345");
        assert_eq!(ok("1.000,00"), "1000.00");
        assert_eq!(ok("12,50"), "12.50");
        assert_eq!(ok("1,000,000"), "1000000");
        assert_eq!(ok("30000.00"), "30000.00");
        let refused = |t: &str| ungroup("amount", t).unwrap_err().to_string();
        assert!(
            refused("1,000").contains("ambiguous"),
            "{}",
            refused("1,000")
        );
        assert!(refused("12,345").contains("ambiguous"));
        for bad in [
            "1,00,000.00",
            "1 00",
            "1,000.00,5",
            "1.000.00,5x",
            " 5",
            "5 ",
            ",5",
            "5,",
            "1 ,000",
            "1,000 .00",
            "1,0000.00",
        ] {
            assert!(
                ungroup("amount", bad).is_err()
                    || parse_plain_decimal("amount", &ungroup("amount", bad).unwrap()).is_err(),
                "{bad:?}"
            );
        }
        let usd = Currency::parse("c", "USD").unwrap();
        assert_eq!(usd.parse_amount("amount", "1,000.00").unwrap(), 100_000);
        assert_eq!(usd.parse_amount("amount", "24 800,00").unwrap(), 2_480_000);
        assert!(usd.parse_amount("amount", "1,000").is_err());
    }

    fn cur(c: &str) -> Currency {
        Currency::parse("currency", c).unwrap()
    }

    #[test]
    fn minor_units_per_currency() {
        assert_eq!(cur("USD").exponent(), 2);
        assert_eq!(cur("jpy").exponent(), 0);
        assert_eq!(cur("KWD").exponent(), 3);
        assert_eq!(cur("eur").code(), "EUR");
        assert!(Currency::parse("currency", "XAU").is_err());
        assert!(Currency::parse("currency", "ZZZ").is_err());
        assert!(Currency::parse("currency", "US").is_err());
    }

    #[test]
    fn more_digits_than_a_decimal_holds_are_refused_not_rounded() {
        // Found by the money fuzz target: 31 significant digits were rounded
        // by the decimal type to a whole yen and accepted as 999999999999954.
        let jpy = cur("JPY");
        let e = jpy
            .parse_amount("amount", "999999999999953.9999999999999519")
            .unwrap_err();
        assert_eq!(e.to_string(), "amount: has too many digits");
        let usd = cur("USD");
        assert!(usd
            .parse_amount("amount", "123456789012345.990000000000000001")
            .is_err());
        // 28 significant digits are still read exactly.
        assert_eq!(
            usd.parse_amount("amount", "1234567890.123456789012345600")
                .unwrap_err()
                .to_string(),
            "amount: \"1234567890.123456789012345600\" has more decimals than USD allows (2)"
        );
        assert_eq!(
            usd.parse_amount("amount", "1234567890.120000000000000000")
                .unwrap(),
            123_456_789_012
        );
    }

    #[test]
    fn parse_and_format_exactly() {
        let usd = cur("USD");
        assert_eq!(usd.parse_amount("a", "29500.00").unwrap(), 2_950_000);
        assert_eq!(usd.parse_amount("a", "0.1").unwrap(), 10);
        assert_eq!(usd.format(2_950_000), "29500.00");
        assert_eq!(usd.format(-5), "-0.05");
        assert_eq!(usd.format(0), "0.00");
        let jpy = cur("JPY");
        assert_eq!(jpy.parse_amount("a", "2500.00").unwrap(), 2500);
        assert!(jpy.parse_amount("a", "2500.5").is_err());
        assert_eq!(jpy.format(2500), "2500");
        let kwd = cur("KWD");
        assert_eq!(kwd.parse_amount("a", "1.005").unwrap(), 1005);
        assert_eq!(kwd.format(1005), "1.005");
    }

    #[test]
    fn refuses_everything_that_is_not_a_plain_decimal() {
        let usd = cur("USD");
        for bad in [
            "", " 5", "5 ", "+5", "-5", "1e5", "NaN", "Infinity", "5.", ".5", "1,000", "0x10",
            "5.001", "１",
        ] {
            let e = usd.parse_amount("amount", bad).unwrap_err();
            assert_eq!(e.code(), "validation", "{bad:?}");
            assert!(e.to_string().starts_with("amount: "), "{e}");
        }
        // Issue 15: a decimal comma alone is unambiguous.
        assert_eq!(usd.parse_amount("amount", "1,5").unwrap(), 150);
        assert!(usd.parse_positive("amount", "0.00").is_err());
        assert!(usd.parse_amount("amount", "99999999999999999999").is_err());
        assert!(usd.parse_amount("amount", "10000000000000.01").is_err());
        assert_eq!(
            usd.parse_amount("amount", "10000000000000.00").unwrap(),
            MAX_MINOR
        );
    }

    #[test]
    fn deposit_rounds_half_away_from_zero() {
        // 0.125 USD -> 0.13 (banker's rounding would give 0.12)
        assert_eq!(percent_of(25, Decimal::from(50)), 13);
        assert_eq!(percent_of(297, Decimal::from_str("12.5").unwrap()), 37);
        assert_eq!(percent_of(3_000_000, Decimal::from(10)), 300_000);
    }
}
