//! Repeating a deal (SPEC section 13): a new draft with the same terms as
//! an existing deal of any status, and no bookings.

use super::{deals, Ctx};
use crate::args::{Args, Field, Id, Line, Opt, Raw, Request};
use crate::deal::DealView;
use crate::deal::Rfc3339;
use crate::error::Result;
use serde_json::{Map, Value};

/// The fields of the copy that `clone_deal` may set.
const FIELDS: [&str; 3] = ["title", "closes_at", "opens_at"];

/// `{deal_id, title?, closes_at?, opens_at?}` -> the new draft. The terms
/// go through the same overlay and validation as `update_deal` and the
/// same insertion as `create_deal`; `opens_at: null` drops the original's.
/// `clone_deal`'s request: the deal to repeat and what to change.
#[derive(Debug, Clone)]
pub struct CloneDeal {
    pub deal_id: i64,
    pub patch: Map<String, Value>,
}

impl Request for CloneDeal {
    fn fields() -> Vec<Field> {
        vec![
            Field::of::<Id>("deal_id"),
            Field::of::<Opt<Line>>("title"),
            Field::of::<Opt<Raw<Rfc3339>>>("closes_at"),
            Field::of::<Opt<Raw<Rfc3339>>>("opens_at"),
        ]
    }
    fn read(args: &mut Args) -> Result<Self> {
        let deal_id = args.req_id("deal_id")?;
        let mut patch = Map::new();
        for f in FIELDS {
            if let Some(v) = args.raw(f) {
                patch.insert(f.to_string(), v);
            }
        }
        // Title and closes_at cannot be cleared: null keeps the original's.
        for f in ["title", "closes_at"] {
            if patch.get(f).is_some_and(Value::is_null) {
                patch.remove(f);
            }
        }
        Ok(CloneDeal { deal_id, patch })
    }
}

pub fn clone_deal(ctx: &Ctx, req: CloneDeal) -> Result<DealView> {
    let CloneDeal { deal_id, patch } = req;
    let original = deals::load(ctx.tx, deal_id)?;
    let terms = deals::overlay(&original.terms, patch)?;
    let id = deals::insert(ctx, &terms)?;
    Ok(deals::load(ctx.tx, id)?.view())
}
