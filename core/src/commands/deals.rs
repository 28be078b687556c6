//! Deals: create, update, open, read and list (SPEC section 2). The deal
//! itself (`Deal`, its status and view) lives in `crate::deal`; its rows in
//! `store::deals`.

use super::Ctx;
use crate::args::{Args, Choice, Field, Id, Opt, Request};
use crate::deal::Terms;
use crate::error::{Error, Result};
use crate::store;
use serde_json::Value;

pub use crate::deal::{Deal, DealView, Status};
pub use crate::store::deals::{add_quantities, clear_quantities, load};

/// Sets a deal's status, updated now.
pub fn set_status(ctx: &Ctx, deal_id: i64, status: Status) -> Result<()> {
    store::deals::set_status(ctx.tx, deal_id, status, &ctx.now_text())
}

/// Inserts a new draft deal with `terms`; returns its id.
pub(crate) fn insert(ctx: &Ctx, terms: &Terms) -> Result<i64> {
    store::deals::insert(ctx.tx, terms, &ctx.now_text())
}

crate::request! {
    /// A command on one deal.
    pub struct DealId { deal_id: Id }
}

crate::request! {
    pub struct ListDeals { status: Opt<Choice<Status>> }
}

/// `create_deal`'s request: the terms, read and validated.
#[derive(Debug, Clone)]
pub struct CreateDeal {
    pub terms: Terms,
}

impl Request for CreateDeal {
    fn fields() -> Vec<Field> {
        crate::deal::term_fields()
    }
    fn read(args: &mut Args) -> Result<Self> {
        Ok(CreateDeal {
            terms: Terms::parse(args)?,
        })
    }
}

/// `update_deal`'s request: the deal and the fields to change, laid over
/// its terms once it is loaded (`null` clears an optional one).
#[derive(Debug, Clone)]
pub struct UpdateDeal {
    pub deal_id: i64,
    pub patch: serde_json::Map<String, Value>,
}

impl Request for UpdateDeal {
    fn fields() -> Vec<Field> {
        let mut f = vec![Field::of::<Id>("deal_id")];
        f.extend(crate::deal::term_fields().into_iter().map(|mut t| {
            t.optional = true;
            t
        }));
        f
    }
    fn read(args: &mut Args) -> Result<Self> {
        let deal_id = args.req_id("deal_id")?;
        let mut patch = serde_json::Map::new();
        for f in crate::deal::FIELDS {
            if let Some(v) = args.raw(f) {
                patch.insert(f.to_string(), v);
            }
        }
        Ok(UpdateDeal { deal_id, patch })
    }
}

/// Deals in id order.
pub type DealList = Vec<DealView>;

pub fn create_deal(ctx: &Ctx, req: CreateDeal) -> Result<DealView> {
    let id = insert(ctx, &req.terms)?;
    Ok(load(ctx.tx, id)?.view())
}

pub fn update_deal(ctx: &Ctx, req: UpdateDeal) -> Result<DealView> {
    let UpdateDeal { deal_id: id, patch } = req;
    // Overlay the given fields on the current terms and validate the whole.
    let deal = load(ctx.tx, id)?;
    deal.require_not_ended()?;
    let terms = overlay(&deal.terms, patch)?;
    match deal.status {
        Status::Draft => {}
        Status::Open => {
            if let Some(why) = deal.terms.open_change_refused(&terms) {
                return Err(Error::conflict(format!("deal {id} is open: {why}")));
            }
            for p in &deal.terms.pickup_points {
                if !terms.pickup_points.contains(p) && store::deals::pickup_in_use(ctx.tx, id, p)? {
                    return Err(Error::conflict(format!(
                        "pickup point {p:?} is chosen by active bookings of deal {id}; it cannot be removed"
                    )));
                }
            }
        }
        _ => unreachable!("ended deals were refused above"),
    }
    store::deals::update_terms(ctx.tx, id, &terms, &ctx.now_text())?;
    Ok(load(ctx.tx, id)?.view())
}

/// `terms` with the fields of `patch` laid over them (`null` clears an
/// optional one), validated as a whole as `create_deal` validates.
pub(crate) fn overlay(terms: &Terms, patch: serde_json::Map<String, Value>) -> Result<Terms> {
    let mut merged = terms.to_args();
    for (k, v) in patch {
        if v.is_null() {
            merged.as_object_mut().expect("object").remove(&k);
        } else {
            merged[k] = v;
        }
    }
    let mut margs = Args::new(merged)?;
    let terms = Terms::parse(&mut margs)?;
    margs.finish()?;
    Ok(terms)
}

pub fn open_deal(ctx: &Ctx, req: DealId) -> Result<DealView> {
    let id = req.deal_id;
    let deal = load(ctx.tx, id)?;
    if deal.status != Status::Draft {
        return Err(Error::conflict(format!(
            "deal {id} is {}: only a draft can be opened",
            deal.status.as_str()
        )));
    }
    if deal.terms.closes_at.at() <= ctx.now {
        return Err(Error::conflict(format!(
            "deal {id} closes at {}, which is not in the future: move closes_at later first",
            deal.terms.closes_at.text()
        )));
    }
    set_status(ctx, id, Status::Open)?;
    Ok(load(ctx.tx, id)?.view())
}

pub fn get_deal(ctx: &Ctx, req: DealId) -> Result<DealView> {
    Ok(load(ctx.tx, req.deal_id)?.view())
}

pub fn list_deals(ctx: &Ctx, req: ListDeals) -> Result<DealList> {
    Ok(store::deals::list(ctx.tx, req.status)?
        .iter()
        .map(Deal::view)
        .collect())
}
