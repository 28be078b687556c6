//! A deal as the commands return it (SPEC section 8's deal shape): its terms
//! and live state, money as exact decimal strings in the deal's currency.
//! The same term views are `create_deal`'s arguments (`Terms::to_args`).

use super::state::Deal;
use super::{NextTier, Payment, Terms};
use crate::economics::Cost;
use crate::money::Currency;
use serde::Serialize;

/// `{"mode": "full"}` or `{"mode": "deposit", "percent": "30"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum PaymentView {
    Full,
    Deposit { percent: String },
}

impl PaymentView {
    pub fn of(p: &Payment) -> PaymentView {
        match p {
            Payment::Full => PaymentView::Full,
            Payment::Deposit(p) => PaymentView::Deposit {
                percent: p.to_string(),
            },
        }
    }
}

/// A pack the merchant sells: `{"size": 10, "price": "80.00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackView {
    pub size: i64,
    pub price: String,
}

/// What the merchant charges for an item: packs, and a unit price if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostView {
    pub packs: Vec<PackView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl CostView {
    pub fn of(c: Currency, cost: &Cost) -> CostView {
        CostView {
            packs: cost
                .packs
                .iter()
                .map(|&(size, price)| PackView {
                    size,
                    price: c.format(price),
                })
                .collect(),
            unit: cost.unit.map(|u| c.format(u)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemView {
    pub name: String,
    pub base_price: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierView {
    pub min_qty: i64,
    /// One price per item, in item order.
    pub prices: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
}

impl Terms {
    pub fn payment_view(&self) -> PaymentView {
        PaymentView::of(&self.payment)
    }

    pub fn item_views(&self) -> Vec<ItemView> {
        let c = self.currency;
        self.items
            .iter()
            .map(|i| ItemView {
                name: i.name.clone(),
                base_price: c.format(i.base_price),
                cost: i.cost.as_ref().map(|cost| CostView::of(c, cost)),
            })
            .collect()
    }

    pub fn tier_views(&self) -> Vec<TierView> {
        let c = self.currency;
        self.tiers
            .iter()
            .map(|t| TierView {
                min_qty: t.min_qty,
                prices: t.prices.iter().map(|p| c.format(*p)).collect(),
                reward: t.reward.clone(),
            })
            .collect()
    }
}

/// SPEC section 11's `buy_more`, as the deal shape carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuyMoreView {
    /// The item's name.
    pub item: String,
    pub units: i64,
    pub level: i64,
    pub total_now: String,
    pub total_after: String,
    pub saving: String,
}

/// A deal: its terms, its state and what follows from them (level, current
/// prices, the next tier, `buy_more`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealView {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub merchant: Option<String>,
    pub status: &'static str,
    pub currency: &'static str,
    pub opens_at: Option<String>,
    pub closes_at: String,
    pub min_qty: i64,
    pub payment: PaymentView,
    pub approval: &'static str,
    pub allowed_domains: Vec<String>,
    pub max_per_participant: Option<i64>,
    pub stock: Option<i64>,
    pub pickup_points: Vec<String>,
    pub commission_percent: Option<String>,
    pub items: Vec<ItemView>,
    pub tiers: Vec<TierView>,
    pub approved_qty: i64,
    pub pending_qty: i64,
    pub level: i64,
    /// Each item's unit price at the current level.
    pub current_prices: Vec<String>,
    pub next_tier: Option<NextTier>,
    pub buy_more: Option<BuyMoreView>,
    pub cancel_reason: Option<String>,
    pub ended_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl DealView {
    pub fn of(d: &Deal) -> DealView {
        let t = &d.terms;
        let c = t.currency;
        let level = d.level();
        DealView {
            id: d.id,
            title: t.title.clone(),
            description: t.description.clone(),
            merchant: t.merchant.clone(),
            status: d.status.as_str(),
            currency: c.code(),
            opens_at: t.opens_at.as_ref().map(|o| o.text().to_string()),
            closes_at: t.closes_at.text().to_string(),
            min_qty: t.min_qty,
            payment: t.payment_view(),
            approval: t.approval.as_str(),
            allowed_domains: t.allowed_domains.clone(),
            max_per_participant: t.max_per_participant,
            stock: t.stock,
            pickup_points: t.pickup_points.clone(),
            commission_percent: t.commission_percent.map(|p| p.to_string()),
            items: t.item_views(),
            tiers: t.tier_views(),
            approved_qty: d.approved_qty,
            pending_qty: d.pending_qty,
            level,
            current_prices: (0..t.items.len())
                .map(|i| c.format(t.unit_price(i, level)))
                .collect(),
            next_tier: t.next_tier(d.approved_qty),
            buy_more: d.buy_more().map(|b| BuyMoreView {
                item: t.items[b.item].name.clone(),
                units: b.units,
                level: b.level,
                total_now: c.format_wide(b.total_now),
                total_after: c.format_wide(b.total_after),
                saving: c.format_wide(b.total_now - b.total_after),
            }),
            cancel_reason: d.cancel_reason.clone(),
            ended_at: d.ended_at.clone(),
            created_at: d.created_at.clone(),
            updated_at: d.updated_at.clone(),
        }
    }
}
