//! The ledger and deal invariants, checked against a whole database. The
//! property tests run this after every step; so can the crash harness. It
//! reads the tables alone (no import from the commands above the store).

use super::entries::CHARGED_SQL;
use super::rows::query_rows;
use crate::error::Result;
use rusqlite::Connection;

/// Every broken invariant, described; empty when the database is sound.
pub fn check(conn: &mut Connection) -> Result<Vec<String>> {
    let tx = conn.transaction()?;
    let mut broken = vec![];
    let mut q = |sql: &str, what: &str| -> Result<()> {
        let mut stmt = tx.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for r in rows {
            broken.push(format!("{what}: {}", r?));
        }
        Ok(())
    };
    q(
        "SELECT currency || ' sums to ' || sum(b) FROM (
            SELECT currency, balance AS b FROM wallets
            UNION ALL SELECT currency, balance FROM accounts)
         GROUP BY currency HAVING sum(b) != 0",
        "accounts do not sum to zero",
    )?;
    q(
        "SELECT 'participant ' || w.participant_id || ' ' || w.currency || ': wallet ' || w.balance
                || ', entries ' || coalesce(s.total, 0)
         FROM wallets w LEFT JOIN (SELECT participant_id, currency, sum(signed) AS total
                                   FROM entries GROUP BY 1, 2) s
           ON s.participant_id = w.participant_id AND s.currency = w.currency
         WHERE w.balance != coalesce(s.total, 0)
         UNION ALL
         SELECT 'participant ' || participant_id || ' ' || currency || ' has entries but no wallet'
         FROM entries e WHERE NOT EXISTS (SELECT 1 FROM wallets w
             WHERE w.participant_id = e.participant_id AND w.currency = e.currency)
         GROUP BY participant_id, currency",
        "wallet balance differs from its entries",
    )?;
    q(
        "SELECT a.name || ' ' || a.currency || ': ' || a.balance || ' vs ' || coalesce(-s.total, 0)
         FROM accounts a LEFT JOIN (SELECT counterparty, currency, sum(signed) AS total
                                    FROM entries GROUP BY 1, 2) s
           ON s.counterparty = a.name AND s.currency = a.currency
         WHERE a.balance != coalesce(-s.total, 0)",
        "account balance differs from its entries",
    )?;
    q(
        "SELECT 'deal ' || d.id || ': approved ' || d.approved_qty || ' vs ' || coalesce(s.a, 0)
                || ', pending ' || d.pending_qty || ' vs ' || coalesce(s.p, 0)
         FROM deals d LEFT JOIN (SELECT deal_id,
                sum(CASE WHEN status = 'approved' THEN quantity END) AS a,
                sum(CASE WHEN status = 'pending' THEN quantity END) AS p
             FROM bookings GROUP BY deal_id) s ON s.deal_id = d.id
         WHERE d.approved_qty != coalesce(s.a, 0) OR d.pending_qty != coalesce(s.p, 0)",
        "deal totals differ from its bookings",
    )?;
    q(
        "SELECT 'deal ' || i.deal_id || ' item ' || i.position || ': approved ' || i.approved_qty
                || ' vs ' || coalesce(s.a, 0)
         FROM deal_items i LEFT JOIN (SELECT deal_id, item, sum(quantity) AS a FROM bookings
                WHERE status = 'approved' GROUP BY deal_id, item) s
           ON s.deal_id = i.deal_id AND s.item = i.position
         WHERE i.approved_qty != coalesce(s.a, 0)",
        "item totals differ from its bookings",
    )?;
    q(
        "SELECT 'deal ' || d.id || ' is ' || d.status
         FROM deals d LEFT JOIN settlements s ON s.deal_id = d.id
         WHERE (d.status IN ('settled', 'failed', 'cancelled')) != (s.deal_id IS NOT NULL)
            OR (s.outcome IS NOT NULL AND s.outcome != d.status)",
        "deal status and settlement record disagree",
    )?;
    q(
        "SELECT 'booking ' || b.id || ' (' || b.status || ') charged ' || s.c
         FROM bookings b JOIN (SELECT booking_id, -sum(signed) AS c FROM entries
                               WHERE booking_id IS NOT NULL GROUP BY 1) s ON s.booking_id = b.id
         JOIN deals d ON d.id = b.deal_id
         WHERE s.c < 0 OR (s.c != 0 AND (b.status != 'approved' OR d.status IN ('failed', 'cancelled')))",
        "booking charged while it should not be",
    )?;
    q(
        "SELECT 'booking ' || b.id || ' is waitlisted in deal ' || d.id || ', which is ' || d.status
         FROM bookings b JOIN deals d ON d.id = b.deal_id
         WHERE b.status = 'waitlisted' AND (d.status != 'open' OR d.stock IS NULL)",
        "waitlisted booking outside an open deal with a stock",
    )?;
    q(
        "SELECT 'deal ' || d.id || ': booking ' || h.id || ' waits for ' || h.quantity
                || ' but only ' || (d.approved_qty + d.pending_qty) || ' of ' || d.stock
                || ' are claimed'
         FROM deals d JOIN bookings h ON h.id = (SELECT min(id) FROM bookings
              WHERE deal_id = d.id AND status = 'waitlisted')
         WHERE d.approved_qty + d.pending_qty + h.quantity <= d.stock",
        "the first waitlisted booking fits the stock",
    )?;
    q(
        "SELECT 'booking ' || b.id || ' (' || b.status || ') of deal ' || b.deal_id
                || ' delivered ' || b.delivered || ' of ' || b.quantity
         FROM bookings b LEFT JOIN deliveries v ON v.deal_id = b.deal_id
         WHERE (b.delivered IS NOT NULL) != (v.deal_id IS NOT NULL AND b.status = 'approved')
            OR b.delivered > b.quantity",
        "delivered units without a delivery, or more than booked",
    )?;
    // A settled deal: every approved booking charged exactly final price x
    // quantity, or x the units delivered once its delivery is recorded.
    // The final unit price is the tier's at the recorded level, or the base
    // price at level 0.
    let rows = query_rows(
        &tx,
        &format!(
            "SELECT b.deal_id, b.id, coalesce(b.delivered, b.quantity), {CHARGED_SQL},
                CASE WHEN s.level > 0
                    THEN (SELECT json_extract(t.prices, '$[' || b.item || ']') FROM deal_tiers t
                          WHERE t.deal_id = b.deal_id AND t.position = s.level)
                    ELSE (SELECT i.base_price FROM deal_items i
                          WHERE i.deal_id = b.deal_id AND i.position = b.item)
                END
             FROM deals d JOIN settlements s ON s.deal_id = d.id
                 JOIN bookings b ON b.deal_id = d.id AND b.status = 'approved'
             WHERE d.status = 'settled' ORDER BY b.deal_id, b.id"
        ),
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        },
    )?;
    for (id, b, qty, charged, unit) in rows {
        let expected = unit.map(|u| u * qty);
        if Some(charged) != expected {
            let expected = expected.map_or("unknown".to_string(), |e| e.to_string());
            broken.push(format!(
                "settled deal {id}: booking {b} charged {charged}, final price x quantity (delivered) is {expected}"
            ));
        }
    }
    Ok(broken)
}
