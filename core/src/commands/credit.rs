//! Wallet credit limits (SPEC section 10): how far a participant's wallet
//! in a currency may go below zero because of bookings. Every approval
//! (`book` in auto mode, `approve_booking`, a sign-up import, a waitlist
//! promotion) passes through [`room_for`]; settlement never asks.

use super::{participants, Ctx};
use crate::args::{Args, CurrencyCode, Field, Id, Raw, Request, Shape};
use crate::error::{Error, Result};
use crate::money::Currency;
use rusqlite::{params, OptionalExtension};
use serde_json::Value;

/// A participant's credit limit in `currency`, minor units (`None`: no limit).
pub fn limit(ctx: &Ctx, participant_id: i64, currency: Currency) -> Result<Option<i64>> {
    Ok(ctx
        .tx
        .prepare_cached(
            "SELECT credit_limit FROM credit_limits WHERE participant_id = ?1 AND currency = ?2",
        )?
        .query_row(params![participant_id, currency.code()], |r| r.get(0))
        .optional()?)
}

/// A wallet's balance, minor units (0 for a wallet never used).
fn balance(ctx: &Ctx, participant_id: i64, currency: Currency) -> Result<i64> {
    Ok(ctx
        .tx
        .prepare_cached("SELECT balance FROM wallets WHERE participant_id = ?1 AND currency = ?2")?
        .query_row(params![participant_id, currency.code()], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// What the wallet lacks for a charge of `charge` within the participant's
/// limit: `None` when it fits (or there is no limit), else the amount missing.
pub fn shortfall(
    ctx: &Ctx,
    participant_id: i64,
    currency: Currency,
    charge: i64,
) -> Result<Option<i64>> {
    let Some(limit) = limit(ctx, participant_id, currency)? else {
        return Ok(None);
    };
    let after = balance(ctx, participant_id, currency)? - charge;
    Ok((after < -limit).then_some(-limit - after))
}

/// Refuses (`policy`, naming the amount missing) an approval that would
/// take the wallet below `-limit`.
pub fn room_for(ctx: &Ctx, participant_id: i64, currency: Currency, charge: i64) -> Result<()> {
    match shortfall(ctx, participant_id, currency, charge)? {
        None => Ok(()),
        Some(missing) => Err(refusal(participant_id, currency, charge, missing)),
    }
}

/// The refusal of an approval past the credit limit.
pub fn refusal(participant_id: i64, currency: Currency, charge: i64, missing: i64) -> Error {
    Error::policy(format!(
        "participant {participant_id} needs {} {} more on the wallet: this booking charges {} {} and would take the wallet past its credit limit",
        currency.format_grouped(missing),
        currency.code(),
        currency.format_grouped(charge),
        currency.code()
    ))
}

/// A participant's credit limit in a currency (`None` removes it).
#[derive(Debug, Clone)]
pub struct SetCreditLimit {
    pub participant_id: i64,
    pub currency: Currency,
    /// Minor units, >= 0.
    pub limit: Option<i64>,
}

pub struct LimitShape;
impl Shape for LimitShape {
    const TY: &'static str = "money >= 0, or null to remove it";
}

impl Request for SetCreditLimit {
    fn fields() -> Vec<Field> {
        vec![
            Field::of::<Id>("participant_id"),
            Field::of::<CurrencyCode>("currency"),
            Field::of::<Raw<LimitShape>>("limit"),
        ]
    }
    fn read(args: &mut Args) -> Result<Self> {
        let participant_id = args.req_id("participant_id")?;
        let currency = args.req_currency("currency")?;
        let limit = read_limit(args, currency)?;
        Ok(SetCreditLimit {
            participant_id,
            currency,
            limit,
        })
    }
}

fn read_limit(args: &mut Args, currency: Currency) -> Result<Option<i64>> {
    let f = args.field("limit");
    let limit = match args.raw("limit") {
        None => return Err(Error::validation(f, "is required (null removes the limit)")),
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(currency.parse_amount(&f, &s)?),
        Some(Value::Number(_)) => {
            return Err(Error::validation(
                f,
                "must be a decimal string like \"100.00\", not a JSON number",
            ))
        }
        Some(_) => {
            return Err(Error::validation(
                f,
                "must be a decimal string like \"100.00\", or null",
            ))
        }
    };
    Ok(limit)
}

pub fn set_credit_limit(ctx: &Ctx, req: SetCreditLimit) -> Result<participants::ParticipantView> {
    let SetCreditLimit {
        participant_id,
        currency,
        limit,
    } = req;
    participants::require(ctx.tx, participant_id)?;
    match limit {
        Some(l) => ctx.tx.execute(
            "INSERT INTO credit_limits (participant_id, currency, credit_limit) VALUES (?1, ?2, ?3)
             ON CONFLICT (participant_id, currency) DO UPDATE SET credit_limit = excluded.credit_limit",
            params![participant_id, currency.code(), l],
        )?,
        None => ctx.tx.execute(
            "DELETE FROM credit_limits WHERE participant_id = ?1 AND currency = ?2",
            params![participant_id, currency.code()],
        )?,
    };
    participants::get(ctx.tx, participant_id)
}
