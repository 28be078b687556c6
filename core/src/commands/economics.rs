//! `check_tiers` (SPEC section 11): where a deal's tier ladder sells an
//! item below what the merchant charges for it, and the organizer's margin
//! at the quantities approved now. The arithmetic is in `crate::economics`.

use super::{deals, Ctx};
use crate::args::{Args, Field, Id, IntIn, Opt, Raw, Request, Shape};
use crate::deal::Terms;
use crate::economics::{self, Point, MAX_CHECK_QTY};
use crate::error::{Error, Result};
use crate::money::Currency;
use serde::Serialize;

/// The largest approved quantity of an item whose cost `check_tiers`
/// computes for the margin now (the cost table grows with it).
const MAX_MARGIN_QTY: i64 = 1_000_000;

/// Revenue, cost and margin at a quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointView {
    pub quantity: i64,
    pub revenue: String,
    pub cost: String,
    pub margin: String,
}

impl PointView {
    fn of(c: Currency, p: &Point) -> PointView {
        PointView {
            quantity: p.quantity,
            revenue: c.format_wide(p.revenue),
            cost: c.format_wide(p.cost),
            margin: c.format_wide(p.margin()),
        }
    }
}

/// A range of quantities where an item sells below cost, and its worst point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loss {
    pub from: i64,
    pub to: i64,
    pub worst: PointView,
}

/// One item with a cost: where it sells below cost, and its margin now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemCheck {
    pub item: String,
    pub losses: Vec<Loss>,
    /// At the quantity approved now (none past the largest computed).
    pub current: Option<PointView>,
}

/// The margin at the quantities approved now, over the items with a cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarginNow {
    pub revenue: String,
    pub cost: String,
    pub margin: String,
    /// Whether every approved unit has a cost.
    pub complete: bool,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierCheck {
    pub deal_id: Option<i64>,
    pub currency: &'static str,
    pub up_to: i64,
    pub items: Vec<ItemCheck>,
    pub margin_now: Option<MarginNow>,
}

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
        items.push(ItemCheck {
            item: item.name.clone(),
            losses: losses
                .iter()
                .map(|l| Loss {
                    from: l.from,
                    to: l.to,
                    worst: PointView::of(c, &l.worst),
                })
                .collect(),
            current: current.map(|p| PointView::of(c, &p)),
        });
    }
    // The margin now covers the items with a cost; `complete` says whether
    // every approved unit has one.
    let margin_now = (!items.is_empty()).then(|| MarginNow {
        revenue: c.format_wide(revenue_now),
        cost: c.format_wide(cost_now),
        margin: c.format_wide(revenue_now - cost_now),
        complete: all_costed,
    });
    Ok(TierCheck {
        deal_id,
        currency: c.code(),
        up_to,
        items,
        margin_now,
    })
}
