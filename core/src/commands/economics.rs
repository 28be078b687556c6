//! `check_tiers` (SPEC section 11): where a deal's tier ladder sells an
//! item below what the merchant charges for it, and the organizer's margin
//! at the quantities approved now. The arithmetic is in `crate::economics`.

use super::{deals, Ctx};
use crate::args::{Args, Field, Id, IntIn, Opt, Raw, Request, Shape};
use crate::deal::Terms;
use crate::economics::{self, Point, MAX_CHECK_QTY};
use crate::error::{Error, Result};
use crate::money::Currency;
use serde_json::{json, Value};

/// The largest approved quantity of an item whose cost `check_tiers`
/// computes for the margin now (the cost table grows with it).
const MAX_MARGIN_QTY: i64 = 1_000_000;

fn point_json(c: Currency, p: &Point) -> Value {
    json!({
        "quantity": p.quantity,
        "revenue": c.format_wide(p.revenue),
        "cost": c.format_wide(p.cost),
        "margin": c.format_wide(p.margin()),
    })
}

/// `check_tiers`' request: a saved deal, or terms being edited (the editor
/// asks while the organizer types; nothing is written either way).
pub struct CheckTiers {
    pub deal_id: Option<i64>,
    /// The `create_deal` arguments of the terms, read once the deal is known.
    pub terms: Option<Args>,
    pub up_to: Option<i64>,
}

pub struct TermsShape;
impl Shape for TermsShape {
    const TY: &'static str = "{create_deal's fields}";
}

impl Request for CheckTiers {
    fn fields() -> Vec<Field> {
        vec![
            Field::of::<Opt<Id>>("deal_id"),
            Field::of::<Opt<Raw<TermsShape>>>("terms"),
            Field::of::<Opt<IntIn<1, MAX_CHECK_QTY>>>("up_to"),
        ]
    }
    fn read(args: &mut Args) -> Result<Self> {
        Ok(CheckTiers {
            deal_id: args.opt_id("deal_id")?,
            terms: args.opt_object("terms")?,
            up_to: args.opt_int_in("up_to", 1, MAX_CHECK_QTY)?,
        })
    }
}

/// Where the ladder sells below cost, per item with a cost.
pub type TierCheck = Value;

pub fn check_tiers(ctx: &Ctx, req: CheckTiers) -> Result<TierCheck> {
    let CheckTiers {
        deal_id,
        terms: draft,
        up_to,
    } = req;
    let (terms, approved) = match (deal_id, draft) {
        (Some(id), None) => {
            let deal = deals::load(ctx.tx, id)?;
            (deal.terms, deal.item_approved)
        }
        (None, Some(mut t)) => {
            let terms = Terms::parse(&mut t)?;
            t.finish()?;
            let n = terms.items.len();
            (terms, vec![0; n])
        }
        (Some(_), Some(_)) => {
            return Err(Error::validation(
                "terms",
                "give deal_id or terms, not both",
            ))
        }
        (None, None) => return Err(Error::validation("deal_id", "is required (or terms)")),
    };
    let up_to = up_to.unwrap_or_else(|| economics::default_up_to(&terms));
    if up_to < terms.min_qty {
        return Err(Error::validation(
            "up_to",
            format!(
                "must be at least the deal's minimum quantity ({})",
                terms.min_qty
            ),
        ));
    }
    let c = terms.currency;
    let level = terms.level(approved.iter().sum());
    let mut items = vec![];
    let (mut revenue_now, mut cost_now, mut all_costed) = (0_i128, 0_i128, true);
    for (i, item) in terms.items.iter().enumerate() {
        let Some(cost) = &item.cost else {
            all_costed &= approved[i] == 0;
            continue;
        };
        let q = approved[i];
        let reach = if q <= MAX_MARGIN_QTY {
            up_to.max(q)
        } else {
            up_to
        };
        let table = cost.table(reach as usize);
        let losses = economics::losses(&terms, i, &table, terms.min_qty, up_to);
        let current = (q <= MAX_MARGIN_QTY).then(|| Point {
            quantity: q,
            revenue: i128::from(q) * i128::from(terms.unit_price(i, level)),
            cost: table[q as usize],
        });
        match &current {
            Some(p) => {
                revenue_now += p.revenue;
                cost_now += p.cost;
            }
            None => all_costed = false,
        }
        items.push(json!({
            "item": item.name,
            "losses": losses.iter().map(|l| json!({
                "from": l.from,
                "to": l.to,
                "worst": point_json(c, &l.worst),
            })).collect::<Vec<_>>(),
            "current": current.map(|p| point_json(c, &p)),
        }));
    }
    // The margin now covers the items with a cost; `complete` says whether
    // every approved unit has one.
    let margin_now = (!items.is_empty()).then(|| {
        json!({
            "revenue": c.format_wide(revenue_now),
            "cost": c.format_wide(cost_now),
            "margin": c.format_wide(revenue_now - cost_now),
            "complete": all_costed,
        })
    });
    Ok(json!({
        "deal_id": deal_id,
        "currency": c.code(),
        "up_to": up_to,
        "items": items,
        "margin_now": margin_now,
    }))
}
