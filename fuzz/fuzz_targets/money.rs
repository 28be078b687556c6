//! The money and decimal parsers with any text: no panic; what is accepted
//! is exactly the plain decimal the text spells, within the currency's
//! decimals and the app's limit, and prints back to the same amount.
#![no_main]

use bookrun::money::{self, Currency, MAX_MINOR};
use libfuzzer_sys::fuzz_target;

/// Digit groups: 1 to 3 digits, then groups of exactly 3 after each `sep`.
fn groups(s: &str, sep: &[char]) -> Option<String> {
    let parts: Vec<&str> = s.split(|c| sep.contains(&c)).collect();
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let ok = parts.len() >= 2
        && (1..=3).contains(&parts[0].len())
        && parts.iter().all(|p| all_digits(p))
        && parts[1..].iter().all(|p| p.len() == 3);
    ok.then(|| parts.concat())
}

/// An independent reading of an amount as people write it (issue 15):
/// "1,000.00", "1 000,00", "1.000,00", "12,50" become plain decimals; a
/// lone comma before exactly three digits ("1,000") is ambiguous.
fn plain(text: &str) -> Option<String> {
    const SPACES: [char; 3] = [' ', '\u{a0}', '\u{202f}'];
    if !text.contains(|c| c == ',' || SPACES.contains(&c)) {
        return Some(text.to_string());
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((a, b)) = text.split_once(',') {
        if !text.contains('.') && digits(a) && digits(b) && b.len() == 3 {
            return None;
        }
    }
    // The decimal separator is the last '.' or ',' whose fraction is digits.
    let cut = text.rfind(['.', ',']);
    let (int, frac, mark) = match cut {
        Some(i) if digits(&text[i + 1..]) => {
            let mark = text.as_bytes()[i] as char;
            // "1,000,000": the commas are groups, not a decimal comma.
            if mark == ',' && !text.contains('.') && groups(text, &[',']).is_some() {
                (text, "", None)
            } else {
                (&text[..i], &text[i + 1..], Some(mark))
            }
        }
        Some(_) => return None,
        None => (text, "", None),
    };
    let int = if digits(int) {
        int.to_string()
    } else {
        let mut sep: Vec<char> = SPACES.to_vec();
        match mark {
            Some(',') => sep.push('.'),
            _ => sep.push(','),
        }
        // One kind of separator only (the spaces count as one kind).
        let spaced = SPACES.iter().any(|c| int.contains(*c));
        let other = sep[SPACES.len()..].iter().any(|c| int.contains(*c));
        if spaced == other {
            return None;
        }
        groups(int, &sep)?
    };
    Some(match mark {
        Some(_) => format!("{int}.{frac}"),
        None => int,
    })
}

/// An independent reading of a plain decimal in minor units, or None.
fn oracle(text: &str, exponent: u32) -> Option<i128> {
    let text = &plain(text)?;
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
