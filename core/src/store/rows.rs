//! Small rusqlite helpers for the idioms every table module repeats: all
//! rows of a query, at most one row, and whether any row exists (statements
//! go through the connection's statement cache); and a savepoint rolled
//! back, for a preview that runs the real steps.

use crate::error::Result;
use crate::words::Words;
use rusqlite::{Connection, OptionalExtension, Params, Row};

/// Every row of `sql`, mapped by `f`.
pub fn query_rows<T, P: Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    f: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params, f)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The first row of `sql` mapped by `f`, or `None` when there is none.
pub fn try_query_row<T, P: Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    f: impl FnOnce(&Row) -> rusqlite::Result<T>,
) -> Result<Option<T>> {
    Ok(conn.prepare_cached(sql)?.query_row(params, f).optional()?)
}

/// Whether `sql` (a `SELECT`) returns any row.
pub fn exists<P: Params>(conn: &Connection, sql: &str, params: P) -> Result<bool> {
    Ok(conn
        .prepare_cached(&format!("SELECT EXISTS ({sql})"))?
        .query_row(params, |r| r.get(0))?)
}

/// Column `i` as one of the words of `W`: unknown text is a `storage` error.
pub fn word<W: Words>(r: &Row, i: usize) -> rusqlite::Result<W> {
    let s: String = r.get(i)?;
    W::stored(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// What `f` returns when run in savepoint `name`, rolled back whatever it
/// wrote (whether it succeeded or not): a preview that runs the real steps.
pub fn rolled_back<T>(conn: &Connection, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    savepoint(conn, name, false, f)
}

/// Runs `body` inside the savepoint `name`: kept when it succeeds and
/// `keep` is true, else rolled back (a preview rolls back everything).
pub fn savepoint<T>(
    conn: &Connection,
    name: &str,
    keep: bool,
    body: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let run = |sql: String| -> Result<()> {
        conn.prepare_cached(&sql)?.execute([])?;
        Ok(())
    };
    run(format!("SAVEPOINT {name}"))?;
    let r = body();
    if r.is_err() || !keep {
        run(format!("ROLLBACK TO {name}"))?;
    }
    run(format!("RELEASE {name}"))?;
    r
}
