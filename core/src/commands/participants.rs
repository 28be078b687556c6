//! Participants, shared by all deals (SPEC section 3).

use super::Ctx;
use crate::args::{Args, Field, IntIn, Line, Opt, Request, Text};
use crate::error::{Collect, Error, Result};
use crate::money::Currency;
use crate::store::participants::{self as table, NewParticipant, Profile};
use rusqlite::Transaction;
use serde::Serialize;
use std::collections::BTreeMap;

pub use crate::store::participants::Participant;

/// Loads a participant or refuses with `not_found`.
pub fn require(tx: &Transaction, id: i64) -> Result<Participant> {
    table::get(tx, id)?.ok_or_else(|| Error::not_found(format!("no participant with id {id}")))
}

/// The letters of a reference code's check character (no B, I, O, S, Z:
/// nothing that reads like a digit). 19 of them: a prime larger than every
/// digit weight, so any single mistyped digit changes the check letter.
const CHECK: &[u8; 19] = b"ACDEFGHJKLMNPQRTUVW";

fn check_letter(id: i64) -> u8 {
    let digits = id.to_string();
    let sum: usize = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, d)| usize::from(d - b'0') * (i + 2))
        .sum();
    CHECK[sum % CHECK.len()]
}

/// A participant's personal payment reference, shown on their statement and
/// reminders, for bank transfers: `BR` + id + a check letter (`BR4X`), so a
/// mistyped digit is not taken for another participant.
pub fn reference(id: i64) -> String {
    format!("BR{id}{}", check_letter(id) as char)
}

/// The participant ids whose reference codes appear in a text (a bank
/// transfer's reference), in order, without duplicates. Matched ignoring
/// case, as a word of its own, with an optional `-` or space after `BR` and
/// before the check letter; a wrong check letter matches nothing.
pub fn references_in(text: &str) -> Vec<i64> {
    let t: Vec<u8> = text.to_ascii_uppercase().into_bytes();
    let mut found = vec![];
    let mut i = 0;
    while i + 2 < t.len() {
        let starts_word = i == 0 || !t[i - 1].is_ascii_alphanumeric();
        if !(starts_word && t[i] == b'B' && t[i + 1] == b'R') {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        if j < t.len() && (t[j] == b'-' || t[j] == b' ') {
            j += 1;
        }
        let d0 = j;
        while j < t.len() && t[j].is_ascii_digit() && j - d0 < 15 {
            j += 1;
        }
        let digits = &t[d0..j];
        if j < t.len() && (t[j] == b'-' || t[j] == b' ') {
            j += 1;
        }
        let ok = !digits.is_empty()
            && digits[0] != b'0'
            && j < t.len()
            && (j + 1 == t.len() || !t[j + 1].is_ascii_alphanumeric());
        if ok {
            let id: i64 = std::str::from_utf8(digits)
                .ok()
                .and_then(|d| d.parse().ok())
                .unwrap_or(0);
            if id > 0 && check_letter(id) == t[j] && !found.contains(&id) {
                found.push(id);
            }
        }
        i += 2;
    }
    found
}

/// `name@domain.tld`: one `@`, no spaces, a dot in the domain.
pub(crate) fn check_email(field: &str, email: &str) -> Result<()> {
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            field,
            format!("{email:?} is not an e-mail address"),
        ))
    }
}

/// A new participant.
#[derive(Debug, Clone)]
pub struct AddParticipant {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub note: Option<String>,
}

impl Request for AddParticipant {
    const READS_EVERY_FIELD: bool = true;
    fn fields() -> Vec<Field> {
        vec![
            Field::of::<Line>("name"),
            Field::of::<Opt<Line>>("email"),
            Field::of::<Opt<Line>>("phone"),
            Field::of::<Text>("note"),
        ]
    }
    fn read(args: &mut Args) -> Result<Self> {
        let mut all = Collect::default();
        let name = all.take(args.req_line("name"))?;
        let email = all.take(args.opt_line("email").and_then(|email| {
            if let Some(e) = &email {
                check_email(&args.field("email"), e)?;
            }
            Ok(email)
        }))?;
        let phone = all.take(args.opt_line("phone"))?;
        let note = all.take(args.opt_text("note"))?;
        all.finish()?;
        Ok(AddParticipant {
            name: Collect::kept(name)?,
            email: Collect::kept(email)?,
            phone: Collect::kept(phone)?,
            note: Collect::kept(note)?,
        })
    }
}

crate::request! {
    pub struct ListParticipants { query: Opt<Line>, limit: Opt<IntIn<1, { i64::MAX }>> }
}

/// A participant as the commands return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParticipantView {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub reputation: i64,
    pub balances: Vec<WalletBalance>,
    /// Currency code to the formatted limit.
    pub credit_limits: BTreeMap<&'static str, String>,
    pub reference: String,
}

/// A participant's wallet balance in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WalletBalance {
    pub currency: &'static str,
    pub balance: String,
}

pub type ParticipantList = Vec<ParticipantView>;

/// The amounts in the currencies the core knows, formatted (a code it does
/// not know is left out).
fn formatted(pairs: Vec<(String, i64)>) -> impl Iterator<Item = (&'static str, String)> {
    pairs.into_iter().filter_map(|(code, minor)| {
        let c = Currency::stored(&code).ok()?;
        Some((c.code(), c.format(minor)))
    })
}

impl ParticipantView {
    fn of(p: Profile) -> ParticipantView {
        ParticipantView {
            reference: reference(p.id),
            id: p.id,
            name: p.name,
            email: p.email,
            phone: p.phone,
            note: p.note,
            created_at: p.created_at,
            reputation: p.reputation,
            balances: formatted(p.balances)
                .map(|(currency, balance)| WalletBalance { currency, balance })
                .collect(),
            credit_limits: formatted(p.credit_limits).collect(),
        }
    }
}

pub fn add_participant(ctx: &Ctx, req: AddParticipant) -> Result<ParticipantView> {
    let AddParticipant {
        name,
        email,
        phone,
        note,
    } = req;
    let key = email.as_ref().map(|e| e.to_lowercase());
    if let Some(k) = &key {
        if let Some(id) = table::id_by_email_key(ctx.tx, k)? {
            return Err(Error::conflict(format!(
                "participant {id} already has the e-mail {}",
                email.as_deref().unwrap_or_default()
            )));
        }
    }
    let id = table::insert(
        ctx.tx,
        &NewParticipant {
            name: &name,
            email: email.as_deref(),
            email_key: key.as_deref(),
            phone: phone.as_deref(),
            note: note.as_deref(),
            created_at: &ctx.now_text(),
        },
    )?;
    get(ctx.tx, id)
}

/// A participant as the commands return it, or `not_found`.
pub fn get(tx: &Transaction, id: i64) -> Result<ParticipantView> {
    table::profile(tx, id)?
        .map(ParticipantView::of)
        .ok_or_else(|| Error::not_found(format!("no participant with id {id}")))
}

pub fn list_participants(ctx: &Ctx, req: ListParticipants) -> Result<ParticipantList> {
    // A search as the organizer types needs the first few, not thousands.
    let limit = req.limit.unwrap_or(-1);
    Ok(table::search(ctx.tx, req.query.as_deref(), limit)?
        .into_iter()
        .map(ParticipantView::of)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_codes_are_found_in_free_text_and_checked() {
        let r4 = reference(4);
        let r123 = reference(123);
        assert!(r4.starts_with("BR4") && r4.len() == 4, "{r4}");
        assert_eq!(references_in(&format!("Payment {r4} thanks")), [4]);
        let lower = r123.to_lowercase();
        assert_eq!(references_in(&format!("{lower};{r4}")), [123, 4]);
        let dashed = format!("BR-123-{}", &r123[5..]);
        assert_eq!(references_in(&dashed), [123]);
        // A wrong check letter, a code inside a word, or a leading zero: nothing.
        let wrong = if r4.ends_with('A') { "BR4C" } else { "BR4A" };
        assert_eq!(references_in(wrong), Vec::<i64>::new());
        assert_eq!(references_in(&format!("X{r4}")), Vec::<i64>::new());
        assert_eq!(references_in(&format!("{r4}9")), Vec::<i64>::new());
        assert_eq!(references_in("BR04A BR"), Vec::<i64>::new());
        // A single mistyped digit never gives another participant's code.
        for id in 1..2000i64 {
            let code = reference(id);
            let digits = &code[2..code.len() - 1];
            for pos in 0..digits.len() {
                for d in b'0'..=b'9' {
                    let mut typo = digits.as_bytes().to_vec();
                    if typo[pos] == d {
                        continue;
                    }
                    typo[pos] = d;
                    let t = format!(
                        "BR{}{}",
                        String::from_utf8(typo).unwrap(),
                        &code[code.len() - 1..]
                    );
                    let found = references_in(&t);
                    assert!(found.is_empty() || found == [id], "{t} -> {found:?}");
                }
            }
        }
    }
}
