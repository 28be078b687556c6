//! Wallet credit limits (SPEC section 10): how far a participant's wallet
//! in a currency may go below zero because of bookings. Every approval
//! (`book` in auto mode, `approve_booking`, a sign-up import, a waitlist
//! promotion) passes through [`room_for`]; settlement never asks.

use super::{participants, Ctx};
use crate::args::{Args, CurrencyCode, Field, Id, Raw, Request, Shape};
use crate::error::{Collect, Error, Result};
use crate::money::Currency;
use crate::store;
use serde_json::Value;

/// A participant's credit limit in `currency`, minor units (`None`: no limit).
pub fn limit(ctx: &Ctx, participant_id: i64, currency: Currency) -> Result<Option<i64>> {
    store::credit_limits::get(ctx.tx, participant_id, currency.code())
}

/// A wallet's balance, minor units (0 for a wallet never used).
fn balance(ctx: &Ctx, participant_id: i64, currency: Currency) -> Result<i64> {
    store::entries::wallet_balance(ctx.tx, participant_id, currency.code())
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
        Some(missing) => {
            let who = super::participants::require(ctx.tx, participant_id)?.name;
            Err(refusal(&who, participant_id, currency, charge, missing))
        }
    }
}

/// The refusal of an approval past the credit limit, naming the
/// participant (and its id, for the command line).
pub fn refusal(
    name: &str,
    participant_id: i64,
    currency: Currency,
    charge: i64,
    missing: i64,
) -> Error {
    Error::policy(format!(
        "{name} (participant {participant_id}) needs {} {} more on the wallet: this booking charges {} {} and would take the wallet past its credit limit",
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
    const READS_EVERY_FIELD: bool = true;
    fn fields() -> Vec<Field> {
        vec![
            Field::of::<Id>("participant_id"),
            Field::of::<CurrencyCode>("currency"),
            Field::of::<Raw<LimitShape>>("limit"),
        ]
    }
    fn read(args: &mut Args) -> Result<Self> {
        let mut all = Collect::default();
        let participant_id = all.take(args.req_id("participant_id"))?;
        let currency = all.take(args.req_currency("currency"))?;
        // A limit is read in its currency's minor units: without a currency
        // it is only marked as read.
        let limit = match currency {
            Some(c) => all.take(read_limit(args, c))?,
            None => args.raw("limit").and(None),
        };
        all.finish()?;
        Ok(SetCreditLimit {
            participant_id: Collect::kept(participant_id)?,
            currency: Collect::kept(currency)?,
            limit: Collect::kept(limit)?,
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
    store::credit_limits::set(ctx.tx, participant_id, currency.code(), limit)?;
    participants::get(ctx.tx, participant_id)
}
