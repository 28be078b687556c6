//! The money and decimal parsers with any text: no panic; what is accepted
//! is exactly the plain decimal the text spells, within the currency's
//! decimals and the app's limit, and prints back to the same amount.
#![no_main]

use bookrun::money::{self, Currency, MAX_MINOR};
use libfuzzer_sys::fuzz_target;

/// An independent reading of a plain decimal in minor units, or None.
fn oracle(text: &str, exponent: u32) -> Option<i128> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (text.contains('.') && !digits(frac)) {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > exponent as usize {
        return None;
    }
    let int = int.trim_start_matches('0');
    if int.len() > 18 {
        return None;
    }
    let whole: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut minor = whole * 10_i128.pow(exponent);
    if !frac.is_empty() {
        let f: i128 = frac.parse().ok()?;
        minor += f * 10_i128.pow(exponent - frac.len() as u32);
    }
    Some(minor)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for code in ["USD", "JPY", "KWD", "EUR"] {
        let c = Currency::parse("currency", code).unwrap();
        let parsed = c.parse_amount("amount", text);
        let expected = oracle(text, c.exponent()).filter(|m| *m <= MAX_MINOR as i128);
        match (&parsed, expected) {
            (Ok(minor), Some(m)) => {
                assert_eq!(*minor as i128, m, "{code} {text:?}");
                let printed = c.format(*minor);
                assert_eq!(c.parse_amount("amount", &printed).unwrap(), *minor);
            }
            (Err(e), None) => {
                assert!(e.to_string().starts_with("amount: "), "{e}");
            }
            // A too-long fraction of zeros the oracle accepts may still be
            // refused as "too many digits"; anything else is a disagreement.
            (Err(e), Some(_)) if e.to_string().contains("too many digits") => {}
            (p, o) => panic!("{code} {text:?}: parser {p:?}, oracle {o:?}"),
        }
    }
    if let Ok(p) = money::parse_percent("percent", text) {
        if p <= 100.into() {
            let amounts = [0, 1, 5, 999, 123_456_789, MAX_MINOR];
            for minor in amounts {
                let part = money::percent_of(minor, p);
                assert!((0..=minor).contains(&part), "{p}% of {minor} = {part}");
            }
        }
    }
});
