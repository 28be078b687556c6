//! The `participants` table: a participant by id or by e-mail, adding one,
//! and the profile the commands return (with the reputation, the wallet
//! balances and the credit limits, read in the same query).

use super::rows::{query_rows, try_query_row};
use crate::error::Result;
use rusqlite::{params, Connection, Row};

/// A participant as the other commands check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
}

/// A participant by id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Participant>> {
    try_query_row(
        conn,
        "SELECT id, name, email FROM participants WHERE id = ?1",
        [id],
        |r| {
            Ok(Participant {
                id: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
            })
        },
    )
}

/// The participant whose e-mail has this key (the lowercased e-mail), if any.
pub fn id_by_email_key(conn: &Connection, email_key: &str) -> Result<Option<i64>> {
    try_query_row(
        conn,
        "SELECT id FROM participants WHERE email_key = ?1",
        [email_key],
        |r| r.get(0),
    )
}

/// Up to two participants without an e-mail named `name` (ignoring case):
/// the sign-up import's match by name, which must be unambiguous.
pub fn named_without_email(conn: &Connection, name: &str) -> Result<Vec<i64>> {
    query_rows(
        conn,
        "SELECT id FROM participants WHERE email IS NULL AND lower(name) = lower(?1)
         LIMIT 2",
        [name],
        |r| r.get(0),
    )
}

/// A participant to add.
#[derive(Debug, Clone)]
pub struct NewParticipant<'a> {
    pub name: &'a str,
    pub email: Option<&'a str>,
    /// The lowercased e-mail (unique).
    pub email_key: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub note: Option<&'a str>,
    pub created_at: &'a str,
}

/// Appends a participant. Returns its id.
pub fn insert(conn: &Connection, p: &NewParticipant) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO participants (name, email, email_key, phone, note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        p.name,
        p.email,
        p.email_key,
        p.phone,
        p.note,
        p.created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A participant with the sums the commands show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    /// The sum of its reputation events' deltas.
    pub reputation: i64,
    /// Its wallets' balances, (currency, minor units), in currency order.
    pub balances: Vec<(String, i64)>,
    /// Its credit limits, (currency, minor units), in currency order.
    pub credit_limits: Vec<(String, i64)>,
}

const COLUMNS: &str = "p.id, p.name, p.email, p.phone, p.note, p.created_at,
    (SELECT coalesce(sum(delta), 0) FROM reputation_events r WHERE r.participant_id = p.id),
    (SELECT json_group_array(json_array(w.currency, w.balance)) FROM
        (SELECT currency, balance FROM wallets WHERE participant_id = p.id ORDER BY currency) w),
    (SELECT json_group_array(json_array(l.currency, l.credit_limit)) FROM
        (SELECT currency, credit_limit FROM credit_limits WHERE participant_id = p.id
         ORDER BY currency) l)";

/// The `[[code, minor], ...]` a `json_group_array` built (none if unreadable).
fn pairs(json: &str) -> Vec<(String, i64)> {
    serde_json::from_str(json).unwrap_or_default()
}

fn profile_from_row(r: &Row) -> rusqlite::Result<Profile> {
    Ok(Profile {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        phone: r.get(3)?,
        note: r.get(4)?,
        created_at: r.get(5)?,
        reputation: r.get(6)?,
        balances: pairs(&r.get::<_, String>(7)?),
        credit_limits: pairs(&r.get::<_, String>(8)?),
    })
}

/// A participant's profile by id.
pub fn profile(conn: &Connection, id: i64) -> Result<Option<Profile>> {
    try_query_row(
        conn,
        &format!("SELECT {COLUMNS} FROM participants p WHERE p.id = ?1"),
        [id],
        profile_from_row,
    )
}

/// Up to `limit` (-1: all) profiles by name, of the participants whose
/// name, e-mail or phone contains `query` (ignoring case), or of all.
pub fn search(conn: &Connection, query: Option<&str>, limit: i64) -> Result<Vec<Profile>> {
    // instr() on lower() matches a plain substring: no LIKE wildcards to escape.
    query_rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM participants p
             WHERE ?1 IS NULL
                OR instr(lower(p.name), ?1) > 0
                OR instr(coalesce(p.email_key, ''), ?1) > 0
                OR instr(coalesce(p.phone, ''), ?1) > 0
             ORDER BY p.name COLLATE NOCASE, p.id
             LIMIT ?2"
        ),
        params![query.map(str::to_lowercase), limit],
        profile_from_row,
    )
}
