//! Participants, shared by all deals (SPEC section 3).

use super::{Ctx, OptionalRow};
use crate::args::Args;
use crate::error::{Error, Result};
use rusqlite::{params, Row, Transaction};
use serde_json::{json, Value};

pub struct Participant {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
}

/// Loads a participant or refuses with `not_found`.
pub fn require(tx: &Transaction, id: i64) -> Result<Participant> {
    tx.prepare_cached("SELECT id, name, email FROM participants WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Participant {
                id: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
            })
        })
        .or_not_found(|| format!("no participant with id {id}"))
}

const COLUMNS: &str = "p.id, p.name, p.email, p.phone, p.note, p.created_at,
    (SELECT coalesce(sum(delta), 0) FROM reputation_events r WHERE r.participant_id = p.id),
    (SELECT json_group_array(json_array(w.currency, w.balance)) FROM
        (SELECT currency, balance FROM wallets WHERE participant_id = p.id ORDER BY currency) w)";

fn to_json(r: &Row) -> rusqlite::Result<Value> {
    Ok(json!({
        "id": r.get::<_, i64>(0)?,
        "name": r.get::<_, String>(1)?,
        "email": r.get::<_, Option<String>>(2)?,
        "phone": r.get::<_, Option<String>>(3)?,
        "note": r.get::<_, Option<String>>(4)?,
        "created_at": r.get::<_, String>(5)?,
        "reputation": r.get::<_, i64>(6)?,
        "balances": balances(&r.get::<_, String>(7)?),
    }))
}

/// `[{"currency","balance"}]` from the `[[code, minor], ...]` the query built.
fn balances(json_pairs: &str) -> Value {
    let pairs: Vec<(String, i64)> = serde_json::from_str(json_pairs).unwrap_or_default();
    pairs
        .into_iter()
        .filter_map(|(code, minor)| {
            let c = crate::money::Currency::stored(&code).ok()?;
            Some(json!({"currency": c.code(), "balance": c.format(minor)}))
        })
        .collect()
}

/// `name@domain.tld`: one `@`, no spaces, a dot in the domain.
fn check_email(field: &str, email: &str) -> Result<()> {
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

pub fn add_participant(ctx: &Ctx, args: &mut Args) -> Result<Value> {
    let name = args.req_line("name")?;
    let email = args.opt_line("email")?;
    if let Some(e) = &email {
        check_email(&args.field("email"), e)?;
    }
    let phone = args.opt_line("phone")?;
    let note = args.opt_text("note")?;
    args.finish()?;
    let key = email.as_ref().map(|e| e.to_lowercase());
    if let Some(k) = &key {
        let existing: Option<i64> = ctx
            .tx
            .query_row(
                "SELECT id FROM participants WHERE email_key = ?1",
                [k],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        if let Some(id) = existing {
            return Err(Error::conflict(format!(
                "participant {id} already has the e-mail {}",
                email.as_deref().unwrap_or_default()
            )));
        }
    }
    ctx.tx.execute(
        "INSERT INTO participants (name, email, email_key, phone, note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![name, email, key, phone, note, ctx.now_text()],
    )?;
    get(ctx.tx, ctx.tx.last_insert_rowid())
}

pub fn get(tx: &Transaction, id: i64) -> Result<Value> {
    tx.query_row(
        &format!("SELECT {COLUMNS} FROM participants p WHERE p.id = ?1"),
        [id],
        to_json,
    )
    .or_not_found(|| format!("no participant with id {id}"))
}

pub fn list_participants(ctx: &Ctx, args: &mut Args) -> Result<Value> {
    let query = args.opt_line("query")?;
    args.finish()?;
    // instr() on lower() matches a plain substring: no LIKE wildcards to escape.
    let mut stmt = ctx.tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM participants p
         WHERE ?1 IS NULL
            OR instr(lower(p.name), ?1) > 0
            OR instr(coalesce(p.email_key, ''), ?1) > 0
            OR instr(coalesce(p.phone, ''), ?1) > 0
         ORDER BY p.name COLLATE NOCASE, p.id"
    ))?;
    let rows = stmt
        .query_map([query.map(|q| q.to_lowercase())], to_json)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Value::Array(rows))
}
