//! A deal as stored: its terms and its live state (status, the maintained
//! approved and pending totals), with the rules on that state.

use super::view::DealView;
use super::Terms;
use crate::economics;
use crate::error::{Error, Result};
use crate::money::Currency;

crate::words! {
    /// A deal's state.
    pub enum Status("deal status") {
        Draft = "draft",
        Open = "open",
        Settled = "settled",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

impl Status {
    pub fn is_ended(self) -> bool {
        matches!(self, Status::Settled | Status::Failed | Status::Cancelled)
    }
}

/// A deal as stored: its terms and its live state.
#[derive(Debug, Clone)]
pub struct Deal {
    pub id: i64,
    pub terms: Terms,
    pub status: Status,
    pub approved_qty: i64,
    /// The approved quantity of each item, in item order (sums to `approved_qty`).
    pub item_approved: Vec<i64>,
    pub pending_qty: i64,
    pub created_at: String,
    pub updated_at: String,
    pub cancel_reason: Option<String>,
    /// When it was settled, failed or was cancelled.
    pub ended_at: Option<String>,
}

impl Deal {
    pub fn level(&self) -> i64 {
        self.terms.level(self.approved_qty)
    }

    pub fn currency(&self) -> Currency {
        self.terms.currency
    }

    /// Refuses anything but an open deal, naming the state.
    pub fn require_open(&self, action: &str) -> Result<()> {
        match self.status {
            Status::Open => Ok(()),
            Status::Draft => Err(Error::conflict(format!(
                "deal {} is a draft: open it before you {action}",
                self.id
            ))),
            s => Err(Error::conflict(format!(
                "deal {} is {}: you cannot {action} any more",
                self.id,
                s.as_str()
            ))),
        }
    }

    /// Refuses an ended deal: its terms can no longer change.
    pub fn require_not_ended(&self) -> Result<()> {
        if self.status.is_ended() {
            return Err(Error::conflict(format!(
                "deal {} is {}: it can no longer change",
                self.id,
                self.status.as_str()
            )));
        }
        Ok(())
    }

    /// SPEC section 11's `buy_more`: only an open deal proposes it.
    pub fn buy_more(&self) -> Option<economics::BuyMore> {
        (self.status == Status::Open)
            .then(|| economics::buy_more(&self.terms, &self.item_approved))
            .flatten()
    }

    /// The deal as the commands return it.
    pub fn view(&self) -> DealView {
        DealView::of(self)
    }
}
