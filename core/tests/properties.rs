//! Property tests: random sequences of commands over several deals and
//! participants, run through `execute` and checked after every step against
//! an independent model of SPEC sections 1-7 (levels, events, charges,
//! settlement lines, wallets, statements, reputation).
//!
//! Every call is predicted by the model (success, or refusal with its code);
//! a refused call must leave `Db::dump()` unchanged. After every step:
//! - `store::invariants::check` finds nothing broken;
//! - each deal's status, totals, `level` (computed here from its tiers and
//!   `min_qty`), `current_prices` and `next_tier` are as SPEC section 2 says;
//! - an outcome's `events` (and the notification history) match the level
//!   change, none when the level stays;
//! - every booking's status and `charged`, every wallet, `balances` and each
//!   statement (balance = sum of signed amounts = last `balance_after`);
//! - a preview taken just before a deal ends (by `end_deal` or the clock)
//!   equals the settlement; each settled line's `final_total` is exactly
//!   `final_unit_price x quantity` and the booking's `charged`; failed and
//!   cancelled deals leave nothing charged; `end_deal` again writes nothing
//!   and reports the same lines;
//! - at the end, every reputation score (SPEC section 6).

mod common;

use bookrun::clock::{self, Time};
use common::Db;
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// The currencies deals and payments use, with their minor units.
const CURRENCIES: [(&str, u32); 3] = [("USD", 2), ("JPY", 0), ("KWD", 3)];
/// Deposit percents, some of them odd on purpose.
const PERCENTS: [&str; 6] = ["12.5", "33.333", "10", "0.5", "99.999", "66.6667"];

// ---------------------------------------------------------------------------
// Money helpers (rust_decimal only, never floats).

/// Minor units printed with exactly `exp` decimals.
fn fmt(minor: i64, exp: u32) -> String {
    Decimal::new(minor, exp).to_string()
}

/// A money string parsed to minor units; it must carry exactly `exp` decimals.
#[track_caller]
fn minor(v: &Value, exp: u32) -> i64 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("money must be a string, got {v}"));
    let d = Decimal::from_str(s).unwrap_or_else(|e| panic!("{s:?} is not a decimal: {e}"));
    assert_eq!(
        d.scale(),
        exp,
        "{s:?} should be printed with {exp} decimals"
    );
    i64::try_from(d.mantissa()).expect("fits i64")
}

// ---------------------------------------------------------------------------
// Generated scenario.

#[derive(Debug, Clone)]
struct DealSpec {
    currency: usize,
    deposit: Option<&'static str>,
    manual: bool,
    min_qty: i64,
    /// Base prices, minor units.
    base: Vec<i64>,
    /// (threshold, prices in minor units).
    tiers: Vec<(i64, Vec<i64>)>,
    stock: Option<i64>,
    max_per_participant: Option<i64>,
    closes_in_minutes: i64,
}

fn item_name(i: usize) -> String {
    format!("item #{i}")
}

impl DealSpec {
    fn code(&self) -> &'static str {
        CURRENCIES[self.currency].0
    }

    fn exp(&self) -> u32 {
        CURRENCIES[self.currency].1
    }

    /// SPEC section 2, computed here on its own: -1 below `min_qty`, else
    /// the number of tiers whose threshold is reached (thresholds increase).
    fn level(&self, approved: i64) -> i64 {
        if approved < self.min_qty {
            -1
        } else {
            self.tiers.iter().filter(|t| approved >= t.0).count() as i64
        }
    }

    fn price(&self, item: usize, level: i64) -> i64 {
        if level >= 1 {
            self.tiers[level as usize - 1].1[item]
        } else {
            self.base[item]
        }
    }

    /// SPEC section 4: base x qty, or the deposit rounded half away from zero.
    fn charge_at_approval(&self, item: usize, qty: i64) -> i64 {
        let full = self.base[item] * qty;
        match self.deposit {
            None => full,
            Some(p) => {
                let exact =
                    Decimal::from(full) * Decimal::from_str(p).unwrap() / Decimal::ONE_HUNDRED;
                let r = exact.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
                i64::try_from(r.mantissa()).unwrap()
            }
        }
    }

    /// SPEC section 2's `next_tier`, by brute force over the totals.
    fn next_tier(&self, approved: i64) -> Value {
        let now = self.level(approved);
        let top = self
            .tiers
            .last()
            .map_or(self.min_qty, |t| t.0.max(self.min_qty));
        for q in approved + 1..=top {
            if self.level(q) > now {
                return json!({"level": self.level(q), "min_qty": q, "missing": q - approved});
            }
        }
        Value::Null
    }

    /// SPEC section 11's `buy_more`, by brute force: every item tried with
    /// every unit still missing added, the group's total summed line by line.
    fn buy_more(&self, status: &str, per_item: &[i64]) -> Value {
        let approved: i64 = per_item.iter().sum();
        let next = self.next_tier(approved);
        if status != "open" || next.is_null() {
            return Value::Null;
        }
        let (k, to) = (
            next["missing"].as_i64().unwrap(),
            next["level"].as_i64().unwrap(),
        );
        let now_level = self.level(approved);
        let mut now = 0i128;
        for (j, &q) in per_item.iter().enumerate() {
            for _ in 0..q {
                now += i128::from(self.price(j, now_level));
            }
        }
        let mut best: Option<(usize, i128)> = None;
        for i in 0..per_item.len() {
            let mut after = 0i128;
            for (j, &q) in per_item.iter().enumerate() {
                let units = if j == i { q + k } else { q };
                for _ in 0..units {
                    after += i128::from(self.price(j, to));
                }
            }
            if best.is_none_or(|(_, b)| after < b) {
                best = Some((i, after));
            }
        }
        let (i, after) = best.unwrap();
        if after >= now {
            return Value::Null;
        }
        let f = |v: i128| fmt(i64::try_from(v).unwrap(), self.exp());
        json!({"item": item_name(i), "units": k, "level": to, "total_now": f(now),
               "total_after": f(after), "saving": f(now - after)})
    }

    fn create_args(&self, title: &str, closes_at: Time) -> Value {
        let exp = self.exp();
        let mut v = json!({
            "title": title,
            "currency": self.code(),
            "closes_at": clock::format(closes_at),
            "min_qty": self.min_qty,
            "payment": match self.deposit {
                None => json!({"mode": "full"}),
                Some(p) => json!({"mode": "deposit", "percent": p}),
            },
            "approval": if self.manual { "manual" } else { "auto" },
            "items": self.base.iter().enumerate()
                .map(|(i, &p)| json!({"name": item_name(i), "base_price": fmt(p, exp)}))
                .collect::<Vec<_>>(),
            "tiers": self.tiers.iter()
                .map(|(q, prices)| json!({
                    "min_qty": q,
                    "prices": prices.iter().map(|&p| fmt(p, exp)).collect::<Vec<_>>(),
                }))
                .collect::<Vec<_>>(),
        });
        if let Some(s) = self.stock {
            v["stock"] = json!(s);
        }
        if let Some(m) = self.max_per_participant {
            v["max_per_participant"] = json!(m);
        }
        v
    }
}

fn deal_spec() -> impl Strategy<Value = DealSpec> {
    (
        0..CURRENCIES.len(),
        prop::option::of(prop::sample::select(PERCENTS.to_vec())),
        any::<bool>(),
        1..=6i64,
        prop::collection::vec(prop_oneof![1..=150i64, 1..=300_000i64], 1..=3),
        prop::collection::vec((1..=4i64, prop::collection::vec(0..=100i64, 3)), 0..=3),
        prop::option::of(0..=6i64),
        prop::option::of(1..=8i64),
        1..=(72 * 60i64),
    )
        .prop_map(
            |(currency, deposit, manual, min_qty, base, raw_tiers, stock_extra, max, closes)| {
                let mut tiers = vec![];
                // The first threshold may fall below min_qty: level stays -1 there.
                let mut threshold = (min_qty - 2).max(0);
                let mut prices = base.clone();
                for (gap, drops) in raw_tiers {
                    threshold += gap;
                    // A drop of 0 keeps the price (a milestone); never below 1.
                    prices = prices
                        .iter()
                        .zip(drops)
                        .map(|(&p, d)| (p - p * d / 300).max(1))
                        .collect();
                    tiers.push((threshold, prices.clone()));
                }
                let top = tiers.last().map_or(min_qty, |t| t.0.max(min_qty));
                DealSpec {
                    currency,
                    deposit,
                    manual,
                    min_qty,
                    base,
                    tiers,
                    // Sometimes below the top tier, so the waitlist fills up.
                    stock: stock_extra.map(|e| (top + e - 2).max(1)),
                    max_per_participant: max,
                    closes_in_minutes: closes,
                }
            },
        )
}

#[derive(Debug, Clone)]
enum AmountForm {
    Plain,
    /// Extra zero decimals: accepted.
    Padded,
    /// One decimal more than the currency allows: `validation`.
    TooPrecise,
}

#[derive(Debug, Clone)]
enum Op {
    Book {
        deal: usize,
        participant: usize,
        item: usize,
        qty: i64,
    },
    Approve {
        booking: usize,
    },
    Reject {
        booking: usize,
    },
    Cancel {
        booking: usize,
        /// None: no `by`; Some(true): organizer; Some(false): participant.
        by_organizer: Option<bool>,
    },
    Payment {
        participant: usize,
        currency: usize,
        amount: i64,
        form: AmountForm,
    },
    Payout {
        participant: usize,
        currency: usize,
        amount: i64,
        form: AmountForm,
    },
    Reverse {
        entry: usize,
    },
    EndDeal {
        deal: usize,
    },
    CancelDeal {
        deal: usize,
    },
    /// Moves the clock to the deal's closes_at plus some milliseconds
    /// (-1: just before it, nothing of that deal settles).
    Advance {
        deal: usize,
        extra_ms: i64,
    },
    Preview {
        deal: usize,
    },
    /// `update_deal` moving closes_at by some minutes (earlier: `conflict`).
    MoveClose {
        deal: usize,
        minutes: i64,
    },
    /// `set_credit_limit` (SPEC section 10); `None` removes the limit.
    SetLimit {
        participant: usize,
        currency: usize,
        limit: Option<i64>,
    },
    /// `preview_delivery` then `record_delivery` (SPEC section 12): per item
    /// a percentage of its approved units delivered (above 100: more than
    /// approved, `validation` when that is more units), or not listed;
    /// `end_first`: an open deal is ended first (so deliveries are common).
    Deliver {
        deal: usize,
        percents: Vec<Option<i64>>,
        proportional: bool,
        end_first: bool,
    },
}

fn amount_form() -> impl Strategy<Value = AmountForm> {
    prop_oneof![
        6 => Just(AmountForm::Plain),
        1 => Just(AmountForm::Padded),
        1 => Just(AmountForm::TooPrecise),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let ix = || 0..1000usize;
    prop_oneof![
        20 => (ix(), ix(), ix(), 1..=5i64).prop_map(|(deal, participant, item, qty)| Op::Book {
            deal, participant, item, qty
        }),
        8 => ix().prop_map(|booking| Op::Approve { booking }),
        2 => ix().prop_map(|booking| Op::Reject { booking }),
        5 => (ix(), prop::option::of(any::<bool>()))
            .prop_map(|(booking, by_organizer)| Op::Cancel { booking, by_organizer }),
        3 => (ix(), 0..CURRENCIES.len(), 1..=2_000_000i64, amount_form()).prop_map(
            |(participant, currency, amount, form)| Op::Payment { participant, currency, amount, form }
        ),
        2 => (ix(), 0..CURRENCIES.len(), 1..=2_000_000i64, amount_form()).prop_map(
            |(participant, currency, amount, form)| Op::Payout { participant, currency, amount, form }
        ),
        3 => ix().prop_map(|entry| Op::Reverse { entry }),
        1 => ix().prop_map(|deal| Op::EndDeal { deal }),
        1 => ix().prop_map(|deal| Op::CancelDeal { deal }),
        1 => (ix(), prop::sample::select(vec![-1i64, 0, 1, 1000, 3_600_000]))
            .prop_map(|(deal, extra_ms)| Op::Advance { deal, extra_ms }),
        2 => ix().prop_map(|deal| Op::Preview { deal }),
        1 => (ix(), -120..=600i64).prop_map(|(deal, minutes)| Op::MoveClose { deal, minutes }),
        2 => (ix(), 0..CURRENCIES.len(), prop::option::of(prop_oneof![Just(0i64), 0..=1_500_000i64]))
            .prop_map(|(participant, currency, limit)| Op::SetLimit { participant, currency, limit }),
        4 => (ix(), prop::collection::vec(prop::option::weighted(0.8, 0..=110i64), 3), any::<bool>(),
              any::<bool>())
            .prop_map(|(deal, percents, proportional, end_first)| Op::Deliver {
                deal, percents, proportional, end_first
            }),
    ]
}

#[derive(Debug, Clone)]
struct Scenario {
    deals: Vec<DealSpec>,
    participants: usize,
    ops: Vec<Op>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::collection::vec(deal_spec(), 2..=3),
        3..=5usize,
        prop::collection::vec(op(), 1..=40),
    )
        .prop_map(|(deals, participants, ops)| Scenario {
            deals,
            participants,
            ops,
        })
}

// ---------------------------------------------------------------------------
// The model.

struct MDeal {
    spec: DealSpec,
    id: i64,
    closes_at: Time,
    status: &'static str,
    approved: i64,
    pending: i64,
    /// The settlement lines reported when it ended (projected).
    recorded: Option<Vec<Value>>,
    /// Whether its delivery was recorded.
    delivered: bool,
}

struct MBooking {
    id: i64,
    deal: usize,
    participant: usize,
    item: usize,
    qty: i64,
    status: &'static str,
    charged: i64,
    /// Units kept once the deal's delivery is recorded.
    delivered: Option<i64>,
}

struct MEntry {
    id: i64,
    kind: String,
    reversed: bool,
    participant: usize,
    currency: usize,
    signed: i64,
    deal_id: Option<i64>,
}

/// An expected notification: kind, deal id, levels (checked when given).
type Note = (String, i64, Option<(i64, i64)>);

struct World {
    db: Db,
    deals: Vec<MDeal>,
    bookings: Vec<MBooking>,
    people: Vec<i64>,
    /// (participant index, currency index) -> balance in minor units.
    wallets: BTreeMap<(usize, usize), i64>,
    /// (participant index, currency index) -> credit limit in minor units.
    limits: BTreeMap<(usize, usize), i64>,
    rep: Vec<i64>,
    organizer_rep: i64,
    notes: Vec<Note>,
    seen_note: i64,
    /// Every ledger entry, by id, as the last statements showed them.
    entries: Vec<MEntry>,
    step: String,
}

/// SPEC section 7: the event of a level change, if any.
fn level_events(deal_id: i64, from: i64, to: i64) -> Vec<Value> {
    let kind = if to == from {
        return vec![];
    } else if to > from {
        if from < 0 {
            "minimum_reached"
        } else {
            "tier_reached"
        }
    } else if to < 0 {
        "minimum_lost"
    } else {
        "tier_stepped_down"
    };
    vec![json!({"kind": kind, "deal_id": deal_id, "from_level": from, "to_level": to})]
}

fn project_events(v: &Value) -> Vec<Value> {
    v.as_array()
        .expect("events is an array")
        .iter()
        .map(|e| {
            json!({"kind": e["kind"], "deal_id": e["deal_id"],
                   "from_level": e["from_level"], "to_level": e["to_level"]})
        })
        .collect()
}

const LINE_KEYS: [&str; 9] = [
    "booking_id",
    "participant_id",
    "item",
    "quantity",
    "final_unit_price",
    "charged_before",
    "final_total",
    "refund",
    "due",
];

fn project_lines(report: &Value) -> Vec<Value> {
    report["lines"]
        .as_array()
        .expect("lines is an array")
        .iter()
        .map(|l| {
            let mut o = serde_json::Map::new();
            for k in LINE_KEYS {
                o.insert(k.to_string(), l.get(k).cloned().unwrap_or(Value::Null));
            }
            Value::Object(o)
        })
        .collect()
}

impl World {
    fn new(s: &Scenario) -> World {
        let mut db = Db::new();
        let start = db.now;
        let mut deals = vec![];
        for (k, spec) in s.deals.iter().enumerate() {
            let closes_at = start + chrono::Duration::minutes(spec.closes_in_minutes);
            let id = db.open(spec.create_args(&format!("Deal {k}"), closes_at));
            deals.push(MDeal {
                spec: spec.clone(),
                id,
                closes_at,
                status: "open",
                approved: 0,
                pending: 0,
                recorded: None,
                delivered: false,
            });
        }
        let people = (0..s.participants)
            .map(|i| db.add(&format!("P{i}")))
            .collect();
        World {
            db,
            deals,
            bookings: vec![],
            people,
            wallets: BTreeMap::new(),
            limits: BTreeMap::new(),
            rep: vec![0; s.participants],
            organizer_rep: 0,
            notes: vec![],
            seen_note: 0,
            entries: vec![],
            step: String::new(),
        }
    }

    /// Runs a call the model predicted: `Ok(())` success, `Err(code)` refusal
    /// (which must change nothing).
    fn expect(&mut self, name: &str, args: Value, predicted: Result<(), &str>) -> Option<Value> {
        let before = self.db.dump();
        let r = self.db.call(name, args.clone());
        let step = &self.step;
        match (predicted, r) {
            (Ok(()), Ok(v)) => Some(v),
            (Err(code), Err(e)) => {
                assert_eq!(
                    e.code(),
                    code,
                    "[{step}] {name} {args}: refused with {}",
                    e.to_json()
                );
                assert_eq!(
                    self.db.dump(),
                    before,
                    "[{step}] {name} {args} was refused but changed the database"
                );
                None
            }
            (Ok(()), Err(e)) => {
                assert_eq!(
                    self.db.dump(),
                    before,
                    "[{step}] refused call changed the db"
                );
                panic!(
                    "[{step}] {name} {args} was refused ({}), the model expected success",
                    e.to_json()
                )
            }
            (Err(code), Ok(v)) => {
                panic!("[{step}] {name} {args} succeeded, the model expected {code}: {v}")
            }
        }
    }

    /// A read (or a repeated end_deal) that must succeed and write nothing.
    fn read_only(&mut self, name: &str, args: Value) -> Value {
        let before = self.db.dump();
        let v = self
            .db
            .call(name, args.clone())
            .unwrap_or_else(|e| panic!("[{}] {name} {args} failed: {}", self.step, e.to_json()));
        assert_eq!(
            self.db.dump(),
            before,
            "[{}] {name} {args} should write nothing",
            self.step
        );
        v
    }

    fn wallet(&mut self, p: usize, c: usize) -> &mut i64 {
        self.wallets.entry((p, c)).or_insert(0)
    }

    /// SPEC section 10: whether approving a charge would take the wallet
    /// below its credit limit.
    fn over_limit(&self, p: usize, c: usize, charge: i64) -> bool {
        let balance = self.wallets.get(&(p, c)).copied().unwrap_or(0);
        charge > 0
            && self
                .limits
                .get(&(p, c))
                .is_some_and(|l| balance - charge < -l)
    }

    fn booking_index(&self, raw: usize) -> Option<usize> {
        (!self.bookings.is_empty()).then(|| raw % self.bookings.len())
    }

    /// The booking id for an op: an existing one, or one that does not exist.
    fn booking_id(&self, b: Option<usize>) -> i64 {
        b.map_or(1_000_000, |b| self.bookings[b].id)
    }

    fn push_events(&mut self, events: &[Value]) {
        for e in events {
            self.notes.push((
                e["kind"].as_str().unwrap().to_string(),
                e["deal_id"].as_i64().unwrap(),
                Some((
                    e["from_level"].as_i64().unwrap(),
                    e["to_level"].as_i64().unwrap(),
                )),
            ));
        }
    }

    /// Each line of an ended deal's settlement says where its participant's
    /// wallet stands now (issue 15): what they owe, or are owed.
    fn check_standing(&self, d: usize, report: &Value) {
        let spec = &self.deals[d].spec;
        for l in report["lines"].as_array().unwrap() {
            let pid = l["participant_id"].as_i64().unwrap();
            let p = self.people.iter().position(|&x| x == pid).unwrap();
            let w = self.wallets.get(&(p, spec.currency)).copied().unwrap_or(0);
            assert_eq!(
                (l["owes"].clone(), l["owed"].clone()),
                (
                    json!(fmt((-w).max(0), spec.exp())),
                    json!(fmt(w.max(0), spec.exp()))
                ),
                "[{}] standing of {l}",
                self.step
            );
        }
    }

    /// Checks an outcome against the model's booking and deal.
    fn check_outcome(&self, o: &Value, b: usize, events: &[Value]) {
        let mb = &self.bookings[b];
        let md = &self.deals[mb.deal];
        let step = &self.step;
        assert_eq!(o["booking"]["id"], json!(mb.id), "[{step}] {o}");
        assert_eq!(o["booking"]["status"], json!(mb.status), "[{step}] {o}");
        assert_eq!(o["booking"]["quantity"], json!(mb.qty), "[{step}] {o}");
        assert_eq!(
            o["booking"]["item"],
            json!(item_name(mb.item)),
            "[{step}] {o}"
        );
        assert_eq!(
            minor(&o["booking"]["charged"], md.spec.exp()),
            mb.charged,
            "[{step}] charged: {o}"
        );
        assert_eq!(
            o["deal"]["approved_qty"],
            json!(md.approved),
            "[{step}] {o}"
        );
        assert_eq!(o["deal"]["pending_qty"], json!(md.pending), "[{step}] {o}");
        assert_eq!(
            o["deal"]["level"],
            json!(md.spec.level(md.approved)),
            "[{step}] level: {o}"
        );
        assert_eq!(
            project_events(&o["events"]),
            events,
            "[{step}] events of {o}"
        );
    }

    /// The lines ending deal `d` now would have, from the model.
    fn expected_lines(&self, d: usize) -> Vec<Value> {
        let md = &self.deals[d];
        let spec = &md.spec;
        let exp = spec.exp();
        let level = spec.level(md.approved);
        self.bookings
            .iter()
            .filter(|b| b.deal == d && b.status == "approved")
            .map(|b| {
                let (unit, total) = if level >= 0 {
                    let p = spec.price(b.item, level);
                    (json!(fmt(p, exp)), p * b.qty)
                } else {
                    (Value::Null, 0)
                };
                let diff = total - b.charged;
                json!({
                    "booking_id": b.id,
                    "participant_id": self.people[b.participant],
                    "item": item_name(b.item),
                    "quantity": b.qty,
                    "final_unit_price": unit,
                    "charged_before": fmt(b.charged, exp),
                    "final_total": fmt(total, exp),
                    "refund": fmt((-diff).max(0), exp),
                    "due": fmt(diff.max(0), exp),
                })
            })
            .collect()
    }

    /// Previews an open deal: writes nothing, lines as the model computes them.
    fn preview_open(&mut self, d: usize) -> Value {
        let id = self.deals[d].id;
        let p = self.read_only("preview_settlement", json!({ "deal_id": id }));
        let step = &self.step;
        let md = &self.deals[d];
        let level = md.spec.level(md.approved);
        assert_eq!(
            project_lines(&p),
            self.expected_lines(d),
            "[{step}] preview of deal {id}"
        );
        assert_eq!(p["level"], json!(level), "[{step}] preview {p}");
        assert_eq!(
            p["outcome"],
            json!(if level < 0 { "failed" } else { "settled" }),
            "[{step}] preview {p}"
        );
        assert_eq!(
            p["approved_qty"],
            json!(md.approved),
            "[{step}] preview {p}"
        );
        assert_eq!(
            p["entries"],
            json!([]),
            "[{step}] a preview writes no entries"
        );
        p
    }

    /// Moves the first waitlisted bookings of deal `d` up while each fits the
    /// stock that approved and pending bookings leave (approved in auto mode,
    /// pending in manual mode); returns their `waitlist_promoted` events.
    fn promote(&mut self, d: usize) -> Vec<Value> {
        let mut events = vec![];
        let Some(stock) = self.deals[d].spec.stock else {
            return events;
        };
        let spec = self.deals[d].spec.clone();
        while let Some(b) = self
            .bookings
            .iter()
            .position(|b| b.deal == d && b.status == "waitlisted")
        {
            let (qty, item, p) = {
                let mb = &self.bookings[b];
                (mb.qty, mb.item, mb.participant)
            };
            let md = &self.deals[d];
            if md.approved + md.pending + qty > stock {
                break;
            }
            // In auto mode, a booking past its owner's credit limit moves
            // up as pending (docs/rules.md), like in manual mode.
            let charge = spec.charge_at_approval(item, qty);
            if spec.manual || self.over_limit(p, spec.currency, charge) {
                self.deals[d].pending += qty;
                self.bookings[b].status = "pending";
            } else {
                self.deals[d].approved += qty;
                self.bookings[b].status = "approved";
                self.bookings[b].charged = charge;
                *self.wallet(p, spec.currency) -= charge;
            }
            let level = spec.level(self.deals[d].approved);
            events.push(
                json!({"kind": "waitlist_promoted", "deal_id": self.deals[d].id,
                               "from_level": level, "to_level": level}),
            );
        }
        events
    }

    /// The model side of ending an open deal (SPEC section 5).
    fn settle_model(&mut self, d: usize) {
        let spec = self.deals[d].spec.clone();
        let level = spec.level(self.deals[d].approved);
        let mut completed = BTreeSet::new();
        let mut moves = vec![];
        for b in self.bookings.iter_mut().filter(|b| b.deal == d) {
            match b.status {
                "pending" | "waitlisted" => b.status = "expired",
                "approved" => {
                    let new = if level < 0 {
                        0
                    } else {
                        spec.price(b.item, level) * b.qty
                    };
                    moves.push((b.participant, b.charged - new));
                    b.charged = new;
                    completed.insert(b.participant);
                }
                _ => {}
            }
        }
        for (p, m) in moves {
            *self.wallet(p, spec.currency) += m;
        }
        let md = &mut self.deals[d];
        md.pending = 0;
        md.status = if level < 0 { "failed" } else { "settled" };
        if level >= 0 {
            for p in completed {
                self.rep[p] += 1;
            }
        }
        let kind = if level < 0 {
            "deal_failed"
        } else {
            "deal_settled"
        };
        self.notes.push((kind.to_string(), md.id, None));
    }

    /// The checks on a settlement report of an ended deal, then remembers its lines.
    fn check_settlement(&mut self, d: usize, report: &Value, expected: &[Value]) {
        let (id, status, exp) = {
            let md = &self.deals[d];
            (md.id, md.status, md.spec.exp())
        };
        let step = self.step.clone();
        let lines = project_lines(report);
        assert_eq!(lines, expected, "[{step}] settlement lines of deal {id}");
        assert_eq!(
            report["outcome"],
            json!(status),
            "[{step}] outcome {report}"
        );
        let bookings = self.read_only("list_bookings", json!({ "deal_id": id }));
        let charged: BTreeMap<i64, &Value> = bookings
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b["id"].as_i64().unwrap(), &b["charged"]))
            .collect();
        for l in &lines {
            let total = Decimal::from_str(l["final_total"].as_str().unwrap()).unwrap();
            let b_charged = charged[&l["booking_id"].as_i64().unwrap()];
            if status == "settled" {
                let unit = Decimal::from_str(l["final_unit_price"].as_str().unwrap()).unwrap();
                let qty = Decimal::from(l["quantity"].as_i64().unwrap());
                assert_eq!(total, unit * qty, "[{step}] final_total != unit x qty: {l}");
                assert_eq!(
                    b_charged, &l["final_total"],
                    "[{step}] booking charged differs from final_total: {l}"
                );
            } else {
                assert_eq!(l["final_unit_price"], Value::Null, "[{step}] {l}");
                assert_eq!(minor(&l["final_total"], exp), 0, "[{step}] {l}");
                assert_eq!(minor(b_charged, exp), 0, "[{step}] charged after {l}");
            }
            // What was written for the line, if any.
            let written: Vec<&Value> = report["entries"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["booking_id"] == l["booking_id"])
                .collect();
            let (refund, due) = (minor(&l["refund"], exp), minor(&l["due"], exp));
            assert!(refund == 0 || due == 0, "[{step}] {l}");
            match (refund, due) {
                (0, 0) => assert!(written.is_empty(), "[{step}] {l}: {written:?}"),
                (r, 0) => {
                    assert_eq!(written.len(), 1, "[{step}] {l}");
                    assert_eq!(written[0]["kind"], "refund", "[{step}] {l}");
                    assert_eq!(minor(&written[0]["amount"], exp), r, "[{step}] {l}");
                }
                (0, u) => {
                    assert_eq!(written.len(), 1, "[{step}] {l}");
                    assert_eq!(written[0]["kind"], "purchase", "[{step}] {l}");
                    assert_eq!(minor(&written[0]["amount"], exp), u, "[{step}] {l}");
                }
                _ => unreachable!(),
            }
        }
        let n_written = lines
            .iter()
            .filter(|l| minor(&l["refund"], exp) + minor(&l["due"], exp) > 0)
            .count();
        assert_eq!(
            report["entries"].as_array().unwrap().len(),
            n_written,
            "[{step}] settlement entries {report}"
        );
        self.deals[d].recorded = Some(lines);
    }

    /// end_deal on an ended deal: writes nothing and reports the same lines.
    fn end_again(&mut self, d: usize, first: Option<&Value>) -> Value {
        let id = self.deals[d].id;
        let again = self.read_only("end_deal", json!({ "deal_id": id }));
        let step = &self.step;
        if let Some(recorded) = &self.deals[d].recorded {
            assert_eq!(
                &project_lines(&again),
                recorded,
                "[{step}] end_deal again on deal {id}"
            );
        }
        if let Some(first) = first {
            assert_eq!(again["lines"], first["lines"], "[{step}] end_deal again");
            assert_eq!(
                again["entries"], first["entries"],
                "[{step}] end_deal again"
            );
            assert_eq!(again["level"], first["level"], "[{step}] end_deal again");
            assert_eq!(
                again["outcome"], first["outcome"],
                "[{step}] end_deal again"
            );
        }
        again
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Book {
                deal,
                participant,
                item,
                qty,
            } => {
                let d = deal % self.deals.len();
                let p = participant % self.people.len();
                let md = &self.deals[d];
                let spec = md.spec.clone();
                let i = item % spec.base.len();
                let held: i64 = self
                    .bookings
                    .iter()
                    .filter(|b| b.deal == d && b.participant == p)
                    .filter(|b| matches!(b.status, "pending" | "approved" | "waitlisted"))
                    .map(|b| b.qty)
                    .sum();
                // Past the stock that approved and pending bookings claim, or
                // behind others already waiting: the waitlist.
                let waits = spec.stock.is_some_and(|s| {
                    md.approved + md.pending + qty > s
                        || self
                            .bookings
                            .iter()
                            .any(|b| b.deal == d && b.status == "waitlisted")
                });
                let approves_now = !waits && !spec.manual;
                let predicted = if md.status != "open" {
                    Err("conflict")
                } else if spec.max_per_participant.is_some_and(|m| held + qty > m)
                    // More than the whole stock can never be approved.
                    || spec.stock.is_some_and(|s| qty > s)
                    || (approves_now
                        && self.over_limit(p, spec.currency, spec.charge_at_approval(i, qty)))
                {
                    Err("policy")
                } else {
                    Ok(())
                };
                let args = json!({"deal_id": md.id, "participant_id": self.people[p],
                                  "item": item_name(i), "quantity": qty});
                let Some(o) = self.expect("book", args, predicted) else {
                    return;
                };
                let from = spec.level(self.deals[d].approved);
                let (status, charge) = if waits {
                    ("waitlisted", 0)
                } else if spec.manual {
                    self.deals[d].pending += qty;
                    ("pending", 0)
                } else {
                    self.deals[d].approved += qty;
                    ("approved", spec.charge_at_approval(i, qty))
                };
                *self.wallet(p, spec.currency) -= charge;
                self.bookings.push(MBooking {
                    id: o["booking"]["id"].as_i64().unwrap(),
                    deal: d,
                    participant: p,
                    item: i,
                    qty,
                    status,
                    charged: charge,
                    delivered: None,
                });
                let to = spec.level(self.deals[d].approved);
                let events = level_events(self.deals[d].id, from, to);
                self.check_outcome(&o, self.bookings.len() - 1, &events);
                self.push_events(&events);
            }
            Op::Approve { booking } => {
                let b = self.booking_index(booking);
                let predicted = match b.map(|b| &self.bookings[b]) {
                    None => Err("not_found"),
                    Some(mb) => {
                        let md = &self.deals[mb.deal];
                        if mb.status != "pending" || md.status != "open" {
                            Err("conflict")
                        } else if md.spec.stock.is_some_and(|s| md.approved + mb.qty > s)
                            || self.over_limit(
                                mb.participant,
                                md.spec.currency,
                                md.spec.charge_at_approval(mb.item, mb.qty),
                            )
                        {
                            Err("policy")
                        } else {
                            Ok(())
                        }
                    }
                };
                let args = json!({"booking_id": self.booking_id(b)});
                let Some(o) = self.expect("approve_booking", args, predicted) else {
                    return;
                };
                let b = b.unwrap();
                let (d, p, item, qty) = {
                    let mb = &self.bookings[b];
                    (mb.deal, mb.participant, mb.item, mb.qty)
                };
                let spec = self.deals[d].spec.clone();
                let from = spec.level(self.deals[d].approved);
                let charge = spec.charge_at_approval(item, qty);
                self.deals[d].approved += qty;
                self.deals[d].pending -= qty;
                self.bookings[b].status = "approved";
                self.bookings[b].charged = charge;
                *self.wallet(p, spec.currency) -= charge;
                let to = spec.level(self.deals[d].approved);
                let events = level_events(self.deals[d].id, from, to);
                self.check_outcome(&o, b, &events);
                self.push_events(&events);
            }
            Op::Reject { booking } => {
                let b = self.booking_index(booking);
                let predicted = match b.map(|b| &self.bookings[b]) {
                    None => Err("not_found"),
                    Some(mb) if mb.status != "pending" => Err("conflict"),
                    Some(mb) if self.deals[mb.deal].status != "open" => Err("conflict"),
                    Some(_) => Ok(()),
                };
                let args = json!({"booking_id": self.booking_id(b), "reason": "no"});
                let Some(o) = self.expect("reject_booking", args, predicted) else {
                    return;
                };
                let b = b.unwrap();
                let d = self.bookings[b].deal;
                self.bookings[b].status = "rejected";
                self.deals[d].pending -= self.bookings[b].qty;
                let events = self.promote(d);
                self.check_outcome(&o, b, &events);
                self.push_events(&events);
            }
            Op::Cancel {
                booking,
                by_organizer,
            } => {
                let b = self.booking_index(booking);
                let predicted = match b.map(|b| &self.bookings[b]) {
                    None => Err("not_found"),
                    Some(mb) if !matches!(mb.status, "pending" | "approved" | "waitlisted") => {
                        Err("conflict")
                    }
                    Some(mb) if self.deals[mb.deal].status != "open" => Err("conflict"),
                    Some(_) => Ok(()),
                };
                let mut args = json!({"booking_id": self.booking_id(b)});
                if let Some(org) = by_organizer {
                    args["by"] = json!(if org { "organizer" } else { "participant" });
                }
                let Some(o) = self.expect("cancel_booking", args, predicted) else {
                    return;
                };
                let b = b.unwrap();
                let (d, p, qty, was, charged) = {
                    let mb = &self.bookings[b];
                    (mb.deal, mb.participant, mb.qty, mb.status, mb.charged)
                };
                let spec = self.deals[d].spec.clone();
                self.bookings[b].status = "cancelled";
                let from = spec.level(self.deals[d].approved);
                match was {
                    "waitlisted" => {}
                    "pending" => self.deals[d].pending -= qty,
                    _ => {
                        self.deals[d].approved -= qty;
                        self.bookings[b].charged = 0;
                        *self.wallet(p, spec.currency) += charged;
                    }
                }
                // Freed stock goes to the waitlist; the level change is that
                // of the whole operation.
                let mut events = self.promote(d);
                let to = spec.level(self.deals[d].approved);
                events.extend(level_events(self.deals[d].id, from, to));
                // SPEC 6: one penalty per level lost, unless the organizer cancelled.
                if was == "approved" && by_organizer != Some(true) && from > to {
                    self.rep[p] -= from - to.max(-1);
                }
                self.check_outcome(&o, b, &events);
                self.push_events(&events);
            }
            Op::Payment {
                participant,
                currency,
                amount,
                ref form,
            }
            | Op::Payout {
                participant,
                currency,
                amount,
                ref form,
            } => {
                let payment = matches!(op, Op::Payment { .. });
                let p = participant % self.people.len();
                let (code, exp) = CURRENCIES[currency];
                let (text, predicted) = match form {
                    AmountForm::Plain => (fmt(amount, exp), Ok(())),
                    AmountForm::Padded => (
                        format!("{}{}", fmt(amount, exp), if exp == 0 { ".00" } else { "0" }),
                        Ok(()),
                    ),
                    AmountForm::TooPrecise => (fmt(amount * 10 + 5, exp + 1), Err("validation")),
                };
                let name = if payment {
                    "record_payment"
                } else {
                    "record_payout"
                };
                let args = json!({"participant_id": self.people[p], "currency": code,
                                  "amount": text});
                let Some(e) = self.expect(name, args, predicted) else {
                    return;
                };
                let signed = if payment { amount } else { -amount };
                *self.wallet(p, currency) += signed;
                let step = &self.step;
                assert_eq!(
                    e["kind"],
                    json!(if payment { "payment" } else { "payout" }),
                    "[{step}] {e}"
                );
                assert_eq!(e["amount"], json!(fmt(amount, exp)), "[{step}] {e}");
                assert_eq!(e["signed_amount"], json!(fmt(signed, exp)), "[{step}] {e}");
                assert_eq!(e["currency"], json!(code), "[{step}] {e}");
            }
            Op::Reverse { entry } => {
                let k = entry % (self.entries.len() + 1);
                let (id, predicted) = match self.entries.get(k) {
                    None => (
                        self.entries.last().map_or(0, |e| e.id) + 1000,
                        Err("not_found"),
                    ),
                    Some(e) if matches!(e.kind.as_str(), "payment" | "payout") && !e.reversed => {
                        (e.id, Ok(()))
                    }
                    Some(e) => (e.id, Err("conflict")),
                };
                let Some(r) = self.expect("reverse_entry", json!({ "entry_id": id }), predicted)
                else {
                    return;
                };
                let (p, c, signed) = {
                    let e = &mut self.entries[k];
                    e.reversed = true;
                    (e.participant, e.currency, e.signed)
                };
                *self.wallet(p, c) -= signed;
                let step = &self.step;
                let exp = CURRENCIES[c].1;
                assert_eq!(r["kind"], "reversal", "[{step}] {r}");
                assert_eq!(r["reverses"], json!(id), "[{step}] {r}");
                assert_eq!(minor(&r["signed_amount"], exp), -signed, "[{step}] {r}");
                assert_eq!(minor(&r["amount"], exp), signed.abs(), "[{step}] {r}");
            }
            Op::EndDeal { deal } => {
                let d = deal % self.deals.len();
                let id = self.deals[d].id;
                if self.deals[d].status != "open" {
                    self.end_again(d, None);
                    return;
                }
                let preview = self.preview_open(d);
                let expected = self.expected_lines(d);
                let s = self
                    .expect("end_deal", json!({ "deal_id": id }), Ok(()))
                    .unwrap();
                let level = self.deals[d].spec.level(self.deals[d].approved);
                self.settle_model(d);
                let step = &self.step;
                assert_eq!(
                    project_lines(&s),
                    project_lines(&preview),
                    "[{step}] preview just before end_deal differs from the settlement"
                );
                assert_eq!(s["level"], json!(level), "[{step}] {s}");
                assert_eq!(
                    s["approved_qty"],
                    json!(self.deals[d].approved),
                    "[{step}] {s}"
                );
                self.check_settlement(d, &s, &expected);
                self.end_again(d, Some(&s));
            }
            Op::CancelDeal { deal } => {
                let d = deal % self.deals.len();
                let id = self.deals[d].id;
                let predicted = if self.deals[d].status == "open" {
                    Ok(())
                } else {
                    Err("conflict")
                };
                let args = json!({"deal_id": id, "reason": "merchant gone"});
                let Some(v) = self.expect("cancel_deal", args, predicted) else {
                    return;
                };
                let spec = self.deals[d].spec.clone();
                let exp = spec.exp();
                let mut expected = vec![];
                let mut moves = vec![];
                for b in self.bookings.iter_mut().filter(|b| b.deal == d) {
                    match b.status {
                        "pending" | "waitlisted" => b.status = "cancelled",
                        "approved" => {
                            expected.push(json!({
                                "booking_id": b.id,
                                "participant_id": self.people[b.participant],
                                "item": item_name(b.item),
                                "quantity": b.qty,
                                "final_unit_price": null,
                                "charged_before": fmt(b.charged, exp),
                                "final_total": fmt(0, exp),
                                "refund": fmt(b.charged, exp),
                                "due": fmt(0, exp),
                            }));
                            moves.push((b.participant, b.charged));
                            b.charged = 0;
                            b.status = "cancelled";
                        }
                        _ => {}
                    }
                }
                if !expected.is_empty() {
                    self.organizer_rep -= 1;
                }
                for (p, m) in moves {
                    *self.wallet(p, spec.currency) += m;
                }
                let md = &mut self.deals[d];
                md.status = "cancelled";
                md.approved = 0;
                md.pending = 0;
                self.notes.push(("deal_cancelled".into(), id, None));
                assert_eq!(v["status"], "cancelled", "[{}] {v}", self.step);
                let report = self.end_again(d, None);
                self.check_settlement(d, &report, &expected);
            }
            Op::Advance { deal, extra_ms } => {
                let d = deal % self.deals.len();
                let target = self.deals[d].closes_at + chrono::Duration::milliseconds(extra_ms);
                if target <= self.db.now {
                    return;
                }
                let mut due: Vec<usize> = (0..self.deals.len())
                    .filter(|&k| self.deals[k].status == "open")
                    .filter(|&k| self.deals[k].closes_at <= target)
                    .collect();
                due.sort_by_key(|&k| (self.deals[k].closes_at, self.deals[k].id));
                let previews: Vec<(Value, Vec<Value>)> = due
                    .iter()
                    .map(|&k| (self.preview_open(k), self.expected_lines(k)))
                    .collect();
                self.db.now = target;
                // Any command first settles the overdue deals.
                self.db.ok("list_deals", json!({}));
                for (&k, (preview, expected)) in due.iter().zip(previews) {
                    self.settle_model(k);
                    let report = self.end_again(k, None);
                    assert_eq!(
                        project_lines(&report), project_lines(&preview),
                        "[{}] preview before the clock passed closes_at differs from the settlement",
                        self.step
                    );
                    self.check_settlement(k, &report, &expected);
                }
            }
            Op::MoveClose { deal, minutes } => {
                let d = deal % self.deals.len();
                let to = self.deals[d].closes_at + chrono::Duration::minutes(minutes);
                // SPEC 2: an open deal's closes_at can only move later.
                let predicted = if self.deals[d].status == "open" && minutes >= 0 {
                    Ok(())
                } else {
                    Err("conflict")
                };
                let args = json!({"deal_id": self.deals[d].id, "closes_at": clock::format(to)});
                let Some(v) = self.expect("update_deal", args, predicted) else {
                    return;
                };
                self.deals[d].closes_at = to;
                assert_eq!(
                    v["closes_at"],
                    json!(clock::format(to)),
                    "[{}] {v}",
                    self.step
                );
            }
            Op::SetLimit {
                participant,
                currency,
                limit,
            } => {
                let p = participant % self.people.len();
                let (code, exp) = CURRENCIES[currency];
                let args = json!({"participant_id": self.people[p], "currency": code,
                                  "limit": limit.map(|l| fmt(l, exp))});
                let v = self.expect("set_credit_limit", args, Ok(())).unwrap();
                match limit {
                    Some(l) => self.limits.insert((p, currency), l),
                    None => self.limits.remove(&(p, currency)),
                };
                let want: serde_json::Map<String, Value> = self
                    .limits
                    .iter()
                    .filter(|((q, _), _)| *q == p)
                    .map(|((_, c), l)| {
                        let (code, exp) = CURRENCIES[*c];
                        (code.to_string(), json!(fmt(*l, exp)))
                    })
                    .collect();
                assert_eq!(v["credit_limits"], Value::Object(want), "[{}]", self.step);
            }
            Op::Deliver {
                deal,
                ref percents,
                proportional,
                end_first,
            } => {
                if end_first && self.deals[deal % self.deals.len()].status == "open" {
                    self.apply(&Op::EndDeal { deal });
                }
                self.deliver(deal, percents, proportional)
            }
            Op::Preview { deal } => {
                let d = deal % self.deals.len();
                if self.deals[d].status == "open" {
                    self.preview_open(d);
                } else {
                    let id = self.deals[d].id;
                    let p = self.read_only("preview_settlement", json!({ "deal_id": id }));
                    assert_eq!(
                        Some(project_lines(&p)),
                        self.deals[d].recorded,
                        "[{}] preview of ended deal {id}",
                        self.step
                    );
                }
            }
        }
    }

    /// SPEC section 12, the model side: which bookings lose which units,
    /// their refunds, and the event; checked against the preview and the
    /// recorded delivery.
    fn deliver(&mut self, deal: usize, percents: &[Option<i64>], proportional: bool) {
        let d = deal % self.deals.len();
        let spec = self.deals[d].spec.clone();
        let id = self.deals[d].id;
        let level = spec.level(self.deals[d].approved);
        let items = spec.base.len();
        let approved: Vec<i64> = (0..items)
            .map(|i| {
                self.bookings
                    .iter()
                    .filter(|b| b.deal == d && b.item == i && b.status == "approved")
                    .map(|b| b.qty)
                    .sum()
            })
            .collect();
        let listed: Vec<(usize, i64)> = (0..items)
            .filter_map(|i| {
                percents
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|p| (i, approved[i] * p / 100))
            })
            .collect();
        let args = json!({
            "deal_id": id,
            "rule": if proportional { "proportional" } else { "booking_order" },
            "delivered": listed.iter().map(|&(i, q)| json!({"item": item_name(i), "quantity": q}))
                .collect::<Vec<_>>(),
        });
        let predicted = if self.deals[d].status != "settled" || self.deals[d].delivered {
            Err("conflict")
        } else if listed.iter().any(|&(i, q)| q > approved[i]) {
            Err("validation")
        } else {
            Ok(())
        };
        let preview = match predicted {
            Ok(()) => Some(self.read_only("preview_delivery", args.clone())),
            Err(code) => {
                self.expect("preview_delivery", args.clone(), Err(code));
                None
            }
        };
        let Some(r) = self.expect("record_delivery", args, predicted) else {
            return;
        };
        let mut delivered = approved.clone();
        for &(i, q) in &listed {
            delivered[i] = q;
        }
        // (booking id, kept, lost, refund), in booking order.
        let mut lines = vec![];
        let mut moves = vec![];
        for (i, &got) in delivered.iter().enumerate() {
            let mine: Vec<usize> = (0..self.bookings.len())
                .filter(|&b| {
                    let b = &self.bookings[b];
                    b.deal == d && b.item == i && b.status == "approved"
                })
                .collect();
            let kept = if proportional {
                model_proportional(
                    &mine
                        .iter()
                        .map(|&b| self.bookings[b].qty)
                        .collect::<Vec<_>>(),
                    got,
                )
            } else {
                // The latest booking loses first.
                let mut short = approved[i] - got;
                let mut kept: Vec<i64> = mine.iter().map(|&b| self.bookings[b].qty).collect();
                for k in kept.iter_mut().rev() {
                    let lose = short.min(*k);
                    *k -= lose;
                    short -= lose;
                }
                kept
            };
            assert_eq!(kept.iter().sum::<i64>(), got, "[{}] kept units", self.step);
            for (&b, k) in mine.iter().zip(kept) {
                let mb = &mut self.bookings[b];
                mb.delivered = Some(k);
                if k < mb.qty {
                    let refund = spec.price(i, level) * (mb.qty - k);
                    mb.charged -= refund;
                    lines.push((mb.id, k, mb.qty - k, refund));
                    moves.push((mb.participant, refund));
                }
            }
        }
        lines.sort_unstable();
        for (p, m) in moves {
            *self.wallet(p, spec.currency) += m;
        }
        self.deals[d].delivered = true;
        let got: Vec<(i64, i64, i64, i64)> = r["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                assert_eq!(l["entry"]["kind"], "refund", "[{}] {l}", self.step);
                assert_eq!(l["entry"]["amount"], l["refund"], "[{}] {l}", self.step);
                (
                    l["booking_id"].as_i64().unwrap(),
                    l["kept"].as_i64().unwrap(),
                    l["lost"].as_i64().unwrap(),
                    minor(&l["refund"], spec.exp()),
                )
            })
            .collect();
        assert_eq!(got, lines, "[{}] delivery lines of deal {id}", self.step);
        let preview = preview.expect("a preview");
        assert_eq!(
            preview["totals"], r["totals"],
            "[{}] preview totals",
            self.step
        );
        assert_eq!(
            preview["lines"].as_array().map(Vec::len),
            Some(lines.len()),
            "[{}] preview lines",
            self.step
        );
        if approved.iter().sum::<i64>() > delivered.iter().sum::<i64>() {
            self.notes
                .push(("delivery_short".into(), id, Some((level, level))));
        }
    }

    /// The checks after every step.
    fn check_all(&mut self) {
        self.db.assert_invariants();
        for d in 0..self.deals.len() {
            if matches!(self.deals[d].status, "settled" | "failed" | "cancelled") {
                let id = self.deals[d].id;
                let report = self.read_only("end_deal", json!({ "deal_id": id }));
                self.check_standing(d, &report);
            }
        }
        let step = self.step.clone();
        self.check_statements_agree_with_settlement(&step);
        for d in 0..self.deals.len() {
            let id = self.deals[d].id;
            let g = self.db.ok("get_deal", json!({ "deal_id": id }));
            let md = &self.deals[d];
            let spec = &md.spec;
            assert_eq!(g["status"], json!(md.status), "[{step}] deal {g}");
            assert_eq!(g["approved_qty"], json!(md.approved), "[{step}] deal {g}");
            assert_eq!(g["pending_qty"], json!(md.pending), "[{step}] deal {g}");
            let approved = g["approved_qty"].as_i64().unwrap();
            let level = spec.level(approved);
            assert_eq!(
                g["level"],
                json!(level),
                "[{step}] level of deal {id} at approved {approved}"
            );
            let prices: Vec<String> = (0..spec.base.len())
                .map(|i| fmt(spec.price(i, level), spec.exp()))
                .collect();
            assert_eq!(g["current_prices"], json!(prices), "[{step}] {g}");
            assert_eq!(g["next_tier"], spec.next_tier(approved), "[{step}] {g}");
            let per_item: Vec<i64> = (0..spec.base.len())
                .map(|i| {
                    self.bookings
                        .iter()
                        .filter(|b| b.deal == d && b.item == i && b.status == "approved")
                        .map(|b| b.qty)
                        .sum()
                })
                .collect();
            assert_eq!(
                g["buy_more"],
                spec.buy_more(md.status, &per_item),
                "[{step}] buy_more of {g}"
            );

            let list = self.db.ok("list_bookings", json!({ "deal_id": id }));
            let got: Vec<(i64, String, i64, Option<i64>)> = list
                .as_array()
                .unwrap()
                .iter()
                .map(|b| {
                    (
                        b["id"].as_i64().unwrap(),
                        b["status"].as_str().unwrap().to_string(),
                        minor(&b["charged"], spec.exp()),
                        b["delivered"].as_i64(),
                    )
                })
                .collect();
            let want: Vec<(i64, String, i64, Option<i64>)> = self
                .bookings
                .iter()
                .filter(|b| b.deal == d)
                .map(|b| (b.id, b.status.to_string(), b.charged, b.delivered))
                .collect();
            assert_eq!(
                got, want,
                "[{step}] bookings (id, status, charged, delivered) of deal {id}"
            );
        }

        let mut entries = vec![];
        let mut reversed = BTreeSet::new();
        for p in 0..self.people.len() {
            for (c, (code, exp)) in CURRENCIES.iter().enumerate() {
                let pid = self.people[p];
                let st = self.db.ok(
                    "statement",
                    json!({"participant_id": pid, "currency": code}),
                );
                let mut running = 0;
                for e in st["entries"].as_array().unwrap() {
                    let signed = minor(&e["signed_amount"], *exp);
                    running += signed;
                    assert_eq!(
                        minor(&e["balance_after"], *exp),
                        running,
                        "[{step}] balance_after in {st}"
                    );
                    assert_eq!(minor(&e["amount"], *exp), signed.abs(), "[{step}] {e}");
                    assert!(signed != 0, "[{step}] zero entry {e}");
                    let kind = e["kind"].as_str().unwrap().to_string();
                    let sign_ok = match kind.as_str() {
                        "purchase" | "payout" => signed < 0,
                        "refund" | "payment" => signed > 0,
                        "reversal" => true,
                        k => panic!("[{step}] unknown entry kind {k}"),
                    };
                    assert!(sign_ok, "[{step}] wrong sign for {e}");
                    if let Some(r) = e["reverses"].as_i64() {
                        assert_eq!(kind, "reversal", "[{step}] {e}");
                        assert!(reversed.insert(r), "[{step}] entry {r} reversed twice");
                    }
                    entries.push(MEntry {
                        id: e["id"].as_i64().unwrap(),
                        kind,
                        reversed: false,
                        participant: p,
                        currency: c,
                        signed,
                        deal_id: e["deal_id"].as_i64(),
                    });
                }
                let balance = minor(&st["balance"], *exp);
                assert_eq!(balance, running, "[{step}] balance vs entries: {st}");
                if let Some(last) = st["entries"].as_array().unwrap().last() {
                    assert_eq!(st["balance"], last["balance_after"], "[{step}] {st}");
                }
                let model = self.wallets.get(&(p, c)).copied().unwrap_or(0);
                assert_eq!(
                    balance, model,
                    "[{step}] wallet of participant {pid} in {code}"
                );
            }
        }
        entries.sort_by_key(|e| e.id);
        for e in &mut entries {
            e.reversed = reversed.contains(&e.id);
        }
        self.entries = entries;

        // `balances` agrees with the statements: every wallet of a currency,
        // and per deal the sum of that deal's entries.
        for (c, (code, exp)) in CURRENCIES.iter().enumerate() {
            let all = self.db.ok("balances", json!({ "currency": code }));
            let got: BTreeMap<i64, i64> = all
                .as_array()
                .unwrap()
                .iter()
                .map(|b| {
                    (
                        b["participant_id"].as_i64().unwrap(),
                        minor(&b["balance"], *exp),
                    )
                })
                .filter(|&(_, b)| b != 0)
                .collect();
            let want: BTreeMap<i64, i64> = self
                .wallets
                .iter()
                .filter(|&(&(_, wc), &b)| wc == c && b != 0)
                .map(|(&(p, _), &b)| (self.people[p], b))
                .collect();
            assert_eq!(got, want, "[{step}] balances in {code}");
        }
        for d in 0..self.deals.len() {
            let (id, code, exp) = {
                let md = &self.deals[d];
                (md.id, md.spec.code(), md.spec.exp())
            };
            let v = self
                .db
                .ok("balances", json!({"currency": code, "deal_id": id}));
            let got: BTreeMap<i64, i64> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|b| {
                    (
                        b["participant_id"].as_i64().unwrap(),
                        minor(&b["balance"], exp),
                    )
                })
                .filter(|&(_, b)| b != 0)
                .collect();
            let mut want: BTreeMap<i64, i64> = BTreeMap::new();
            for e in self.entries.iter().filter(|e| e.deal_id == Some(id)) {
                *want.entry(self.people[e.participant]).or_insert(0) += e.signed;
            }
            want.retain(|_, b| *b != 0);
            assert_eq!(got, want, "[{step}] balances of deal {id}");
        }

        let all = self.db.ok("notifications", json!({"limit": 10000}));
        let mut new: Vec<&Value> = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["id"].as_i64().unwrap() > self.seen_note)
            .collect();
        new.reverse();
        let got: Vec<Note> = new
            .iter()
            .zip(
                self.notes
                    .iter()
                    .chain(std::iter::repeat(&(String::new(), 0, None))),
            )
            .map(|(n, want)| {
                (
                    n["kind"].as_str().unwrap().to_string(),
                    n["deal_id"].as_i64().unwrap(),
                    want.2.map(|_| {
                        (
                            n["from_level"].as_i64().unwrap(),
                            n["to_level"].as_i64().unwrap(),
                        )
                    }),
                )
            })
            .collect();
        assert_eq!(got, self.notes, "[{step}] notifications of this step");
        if let Some(n) = new.last() {
            self.seen_note = n["id"].as_i64().unwrap();
        }
        self.notes.clear();
    }

    /// `deal_statement` and `preview_settlement` agree for every booking:
    /// final price, total, what was charged, refund and due (one settlement
    /// calculation, seen from two commands).
    fn check_statements_agree_with_settlement(&mut self, step: &str) {
        for d in 0..self.deals.len() {
            let id = self.deals[d].id;
            let preview = self.db.ok("preview_settlement", json!({ "deal_id": id }));
            if preview["outcome"] == "cancelled" {
                continue;
            }
            let lines = preview["lines"].as_array().cloned().unwrap_or_default();
            let mut people: Vec<i64> = lines
                .iter()
                .map(|l| l["participant_id"].as_i64().unwrap())
                .collect();
            people.sort_unstable();
            people.dedup();
            for p in people {
                let st = self.db.ok(
                    "deal_statement",
                    json!({ "deal_id": id, "participant_id": p }),
                );
                let mine: Vec<&Value> = lines
                    .iter()
                    .filter(|l| l["participant_id"] == json!(p))
                    .collect();
                let got = st["lines"].as_array().unwrap();
                assert_eq!(
                    got.len(),
                    mine.len(),
                    "[{step}] deal {id} participant {p}: {st} vs {preview}"
                );
                for (s_line, l) in got.iter().zip(mine) {
                    assert_eq!(
                        s_line["booking_id"], l["booking_id"],
                        "[{step}] {st} vs {preview}"
                    );
                    for (sk, lk) in [
                        ("final_unit_price", "final_unit_price"),
                        ("final_total", "final_total"),
                        ("charged_at_approval", "charged_before"),
                        ("refund", "refund"),
                        ("due", "due"),
                    ] {
                        assert_eq!(
                            s_line[sk], l[lk],
                            "[{step}] deal {id} booking {}: statement {sk} vs settlement {lk}",
                            l["booking_id"]
                        );
                    }
                }
            }
        }
    }

    fn check_reputation(&mut self) {
        for p in 0..self.people.len() {
            let pid = self.people[p];
            let r = self.db.ok("reputation", json!({ "participant_id": pid }));
            assert_eq!(
                r["score"],
                json!(self.rep[p]),
                "reputation of participant {pid}: {r}"
            );
        }
        let r = self.db.ok("reputation", json!({}));
        assert_eq!(r["score"], json!(self.organizer_rep), "organizer: {r}");
    }
}

/// SPEC section 12's proportional rule, written independently of the core:
/// each keeps floor(q x got / approved); the units left go one at a time to
/// the booking with the largest remainder not yet served (the first on a tie).
fn model_proportional(quantities: &[i64], got: i64) -> Vec<i64> {
    let approved: i64 = quantities.iter().sum();
    if approved == 0 {
        return vec![0; quantities.len()];
    }
    let share = |q: i64| i128::from(q) * i128::from(got);
    let mut kept: Vec<i64> = quantities
        .iter()
        .map(|&q| (share(q) / i128::from(approved)) as i64)
        .collect();
    let mut served = vec![false; quantities.len()];
    while kept.iter().sum::<i64>() < got {
        let mut best: Option<usize> = None;
        for (i, &q) in quantities.iter().enumerate() {
            let rem = share(q) % i128::from(approved);
            if !served[i] && best.is_none_or(|b| rem > share(quantities[b]) % i128::from(approved))
            {
                best = Some(i);
            }
        }
        let b = best.expect("a remainder left");
        served[b] = true;
        kept[b] += 1;
    }
    kept
}

fn run(s: &Scenario) {
    let mut w = World::new(s);
    w.step = "setup".into();
    w.check_all();
    for (n, op) in s.ops.iter().enumerate() {
        w.step = format!("step {n}: {op:?}");
        w.apply(op);
        w.check_all();
    }
    // Whatever is still open ends now, so every case settles what it built.
    for deal in 0..w.deals.len() {
        if w.deals[deal].status == "open" {
            let op = Op::EndDeal { deal };
            w.step = format!("final: {op:?}");
            w.apply(&op);
            w.check_all();
        }
    }
    w.step = "end".into();
    w.check_reputation();
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES=2000 runs a longer search.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64),
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_command_sequences_keep_books_and_levels_straight(s in scenario()) {
        run(&s);
    }
}
