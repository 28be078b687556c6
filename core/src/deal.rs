//! A deal's terms (items, tiers, payment, limits) and the pure rules on them:
//! validation (SPEC section 2), levels, prices at a level, the next tier.

use crate::args::{line_element, Args};
use crate::args::{Arg, Choice};
use crate::clock::Moment;
use crate::economics::{Cost, MAX_PACKS};
use crate::error::{Collect, Error, Result};
use crate::money::{parse_percent, Currency};
use rust_decimal::Decimal;
use serde_json::{json, Value};

mod state;
mod view;
pub use state::{Deal, Status};
pub use view::{BuyMoreView, CostView, DealView, ItemView, PackView, PaymentView, TierView};

pub const MAX_ITEMS: usize = 50;
pub const MAX_TIERS: usize = 5;
/// Largest quantity or threshold accepted anywhere.
pub const MAX_QTY: i64 = 1_000_000_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Payment {
    Full,
    /// Deposit percent, strictly between 0 and 100.
    Deposit(Decimal),
}

crate::words! {
    /// How bookings are approved.
    pub enum Approval("approval mode") {
        Auto = "auto",
        Manual = "manual",
    }
}

crate::words! {
    /// How a deal is paid: the whole price at approval, or a deposit.
    pub enum PaymentMode("payment mode") {
        Full = "full",
        Deposit = "deposit",
    }
}

impl Payment {
    pub fn mode(&self) -> PaymentMode {
        match self {
            Payment::Full => PaymentMode::Full,
            Payment::Deposit(_) => PaymentMode::Deposit,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub name: String,
    /// Minor units.
    pub base_price: i64,
    /// What the merchant charges the organizer (SPEC section 11), if known.
    pub cost: Option<Cost>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub min_qty: i64,
    /// One price per item, in item order, minor units.
    pub prices: Vec<i64>,
    pub reward: Option<String>,
}

/// Everything the organizer sets on a deal.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub title: String,
    pub description: Option<String>,
    pub merchant: Option<String>,
    pub currency: Currency,
    pub opens_at: Option<Moment>,
    pub closes_at: Moment,
    pub payment: Payment,
    pub min_qty: i64,
    pub approval: Approval,
    pub allowed_domains: Vec<String>,
    pub max_per_participant: Option<i64>,
    pub stock: Option<i64>,
    pub pickup_points: Vec<String>,
    pub commission_percent: Option<Decimal>,
    pub items: Vec<Item>,
    pub tiers: Vec<Tier>,
}

/// The fields `update_deal` may change while a deal is open.
const OPEN_CHANGEABLE: [&str; 5] = [
    "title",
    "description",
    "merchant",
    "pickup_points",
    "closes_at",
];

/// Every field of the terms, as `create_deal` names them.
pub const FIELDS: [&str; 16] = [
    "title",
    "description",
    "merchant",
    "currency",
    "opens_at",
    "closes_at",
    "payment",
    "min_qty",
    "approval",
    "allowed_domains",
    "max_per_participant",
    "stock",
    "pickup_points",
    "commission_percent",
    "items",
    "tiers",
];

/// Shapes of the nested terms, for `--help`.
pub struct PaymentShape;
impl crate::args::Shape for PaymentShape {
    const TY: &'static str = "{mode: full|deposit, percent?}";
}
pub struct ItemsShape;
impl crate::args::Shape for ItemsShape {
    const TY: &'static str = "[{name, base_price: money, cost?: {unit?, packs?: [{size, price}]}}]";
}
pub struct TiersShape;
impl crate::args::Shape for TiersShape {
    const TY: &'static str = "[{min_qty, prices: [money], reward?}]";
}
pub struct TextList;
impl crate::args::Shape for TextList {
    const TY: &'static str = "[text]";
}
pub struct Rfc3339;
impl crate::args::Shape for Rfc3339 {
    const TY: &'static str = "RFC 3339 time";
}
pub struct Percent;
impl crate::args::Shape for Percent {
    const TY: &'static str = "decimal percent";
}

/// The fields of the terms, in `FIELDS`' order, with their kinds: what
/// `create_deal` takes (`optional` says whether `create_deal` may leave it
/// out; `update_deal` and `clone_deal` take each of them optionally).
pub fn term_fields() -> Vec<crate::args::Field> {
    use crate::args::{CurrencyCode, Field, IntIn, Line, Opt, Raw, Text};
    vec![
        Field::of::<Line>("title"),
        Field::of::<Text>("description"),
        Field::of::<Opt<Line>>("merchant"),
        Field::of::<CurrencyCode>("currency"),
        Field::of::<Opt<Raw<Rfc3339>>>("opens_at"),
        Field::of::<Raw<Rfc3339>>("closes_at"),
        Field::of::<Raw<PaymentShape>>("payment"),
        Field::of::<IntIn<1, MAX_QTY>>("min_qty"),
        Field::of::<crate::args::Choice<Approval>>("approval"),
        Field::of::<Opt<Raw<TextList>>>("allowed_domains"),
        Field::of::<Opt<IntIn<1, MAX_QTY>>>("max_per_participant"),
        Field::of::<Opt<IntIn<1, MAX_QTY>>>("stock"),
        Field::of::<Opt<Raw<TextList>>>("pickup_points"),
        Field::of::<Opt<Raw<Percent>>>("commission_percent"),
        Field::of::<Raw<ItemsShape>>("items"),
        Field::of::<Opt<Raw<TiersShape>>>("tiers"),
    ]
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NextTier {
    pub level: i64,
    pub min_qty: i64,
    pub missing: i64,
}

impl Terms {
    /// Reads and validates `create_deal`'s arguments (every field; none left unread).
    /// Reads and validates `create_deal`'s arguments (every field; none left
    /// unread). Every bad field is reported, in the order of the fields, in
    /// one error (`Error::Invalid`); items and tiers are read once the
    /// currency is known, tiers once the items are.
    pub fn parse(args: &mut Args) -> Result<Terms> {
        let mut c = Collect::default();
        let title = c.take(args.req_line("title"))?;
        let description = c.take(args.opt_text("description"))?;
        let merchant = c.take(args.opt_line("merchant"))?;
        let currency = c.take(args.req_currency("currency"))?;
        let closes_at = c.take(
            args.req_str("closes_at")
                .and_then(|s| Moment::parse(&args.field("closes_at"), &s)),
        )?;
        let opens_at = c.take(args.opt_str("opens_at").and_then(|o| {
            o.map(|s| Moment::parse(&args.field("opens_at"), &s))
                .transpose()
        }))?;
        if let (Some(Some(o)), Some(cl)) = (&opens_at, &closes_at) {
            if o.at() >= cl.at() {
                c.take::<()>(Err(Error::validation(
                    args.field("opens_at"),
                    "must be before closes_at",
                )))?;
            }
        }
        let min_qty = c.take(args.req_int_in("min_qty", 1, MAX_QTY))?;
        let payment = c.take(
            args.req_object("payment")
                .and_then(|mut p| parse_payment(&mut p)),
        )?;
        let approval = c.take(<Choice<Approval> as Arg>::read(args, "approval"))?;
        let allowed_domains = c.take(parse_unique_list(args, "allowed_domains", domain_element))?;
        let max_per_participant = c.take(args.opt_int_in("max_per_participant", 1, MAX_QTY))?;
        let stock = c.take(args.opt_int_in("stock", 1, MAX_QTY))?;
        let pickup_points = c.take(parse_unique_list(args, "pickup_points", line_element))?;
        let commission_percent = c.take(args.opt_str("commission_percent").and_then(|o| {
            o.map(|s| {
                let f = args.field("commission_percent");
                let p = parse_percent(&f, &s)?;
                if p > Decimal::ONE_HUNDRED {
                    return Err(Error::validation(f, "must be between 0 and 100"));
                }
                Ok(p)
            })
            .transpose()
        }))?;
        let (items, tiers) = match currency {
            Some(cur) => {
                let items = parse_items(args, cur, &mut c)?;
                let tiers = match &items {
                    Some(items) => parse_tiers(args, cur, items, &mut c)?,
                    None => {
                        args.raw("tiers");
                        None
                    }
                };
                (items, tiers)
            }
            None => {
                // Prices cannot be read without the currency: they are
                // checked once it is given.
                args.raw("items");
                args.raw("tiers");
                (None, None)
            }
        };
        c.finish()?;
        let missing = || Error::Storage("a field read without error has no value".into());
        Ok(Terms {
            title: title.ok_or_else(missing)?,
            description: description.ok_or_else(missing)?,
            merchant: merchant.ok_or_else(missing)?,
            currency: currency.ok_or_else(missing)?,
            opens_at: opens_at.ok_or_else(missing)?,
            closes_at: closes_at.ok_or_else(missing)?,
            payment: payment.ok_or_else(missing)?,
            min_qty: min_qty.ok_or_else(missing)?,
            approval: approval.ok_or_else(missing)?,
            allowed_domains: allowed_domains.ok_or_else(missing)?,
            max_per_participant: max_per_participant.ok_or_else(missing)?,
            stock: stock.ok_or_else(missing)?,
            pickup_points: pickup_points.ok_or_else(missing)?,
            commission_percent: commission_percent.ok_or_else(missing)?,
            items: items.ok_or_else(missing)?,
            tiers: tiers.ok_or_else(missing)?,
        })
    }

    /// The terms as `create_deal` arguments (money as decimal strings), so an
    /// update can overlay its fields and validate the whole result again.
    pub fn to_args(&self) -> Value {
        let c = self.currency;
        let mut v = json!({
            "title": self.title,
            "currency": c.code(),
            "closes_at": self.closes_at.text(),
            "min_qty": self.min_qty,
            "payment": self.payment_view(),
            "approval": self.approval.as_str(),
            "items": self.item_views(),
            "tiers": self.tier_views(),
            "allowed_domains": self.allowed_domains,
            "pickup_points": self.pickup_points,
        });
        let m = v.as_object_mut().expect("object");
        let mut put = |k: &str, val: Option<Value>| {
            if let Some(val) = val {
                m.insert(k.to_string(), val);
            }
        };
        put("description", self.description.clone().map(Value::from));
        put("merchant", self.merchant.clone().map(Value::from));
        put("opens_at", self.opens_at.as_ref().map(|t| t.text().into()));
        put(
            "max_per_participant",
            self.max_per_participant.map(Value::from),
        );
        put("stock", self.stock.map(Value::from));
        put(
            "commission_percent",
            self.commission_percent.map(|p| p.to_string().into()),
        );
        v
    }

    /// The first field, other than those an open deal may change, whose value
    /// differs between `self` and `new`; and a `closes_at` moved earlier.
    pub fn open_change_refused(&self, new: &Terms) -> Option<String> {
        let (old_v, new_v) = (self.to_args(), new.to_args());
        // Times compare as instants: the same moment written with another
        // offset is no change.
        let same_opening =
            self.opens_at.as_ref().map(Moment::at) == new.opens_at.as_ref().map(Moment::at);
        for f in FIELDS {
            let differs = match f {
                "opens_at" => !same_opening,
                _ => old_v.get(f) != new_v.get(f),
            };
            if !OPEN_CHANGEABLE.contains(&f) && differs {
                return Some(format!(
                    "{f} cannot change once the deal is open (only title, description, merchant, pickup points and a later closes_at can)"
                ));
            }
        }
        if new.closes_at.at() < self.closes_at.at() {
            return Some("closes_at can only move later once the deal is open".into());
        }
        None
    }

    /// SPEC section 2: -1 below `min_qty`; else the highest tier reached, or 0.
    pub fn level(&self, approved: i64) -> i64 {
        if approved < self.min_qty {
            return -1;
        }
        self.tiers
            .iter()
            .rposition(|t| approved >= t.min_qty)
            .map_or(0, |i| i as i64 + 1)
    }

    /// The smallest approved total that raises the level, or `None` at the top.
    pub fn next_tier(&self, approved: i64) -> Option<NextTier> {
        let now = self.level(approved);
        std::iter::once(self.min_qty)
            .chain(self.tiers.iter().map(|t| t.min_qty))
            .filter(|&q| q > approved && self.level(q) > now)
            .min()
            .map(|q| NextTier {
                level: self.level(q),
                min_qty: q,
                missing: q - approved,
            })
    }

    /// An item's unit price at `level` (the base price at level 0 or -1).
    pub fn unit_price(&self, item: usize, level: i64) -> i64 {
        match usize::try_from(level) {
            Ok(l) if l > 0 => self.tiers[l - 1].prices[item],
            _ => self.items[item].base_price,
        }
    }

    /// "model #1 29,500.00 USD, model #5 24,800.00 USD": the prices at a
    /// level, as the notifications say them.
    pub fn prices_text(&self, level: i64) -> String {
        self.items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                format!(
                    "{} {} {}",
                    it.name,
                    self.currency.format_grouped(self.unit_price(i, level)),
                    self.currency.code()
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The index of the item called `name` (case-insensitively; names are
    /// unique that way).
    pub fn item_index(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.items.iter().position(|i| i.name == name).or_else(|| {
            self.items
                .iter()
                .position(|i| i.name.to_lowercase() == name.to_lowercase())
        })
    }

    /// Whether an e-mail may book under the deal's domain rule.
    pub fn admits_email(&self, email: Option<&str>) -> bool {
        if self.allowed_domains.is_empty() {
            return true;
        }
        let Some(domain) = email
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, d)| d.to_lowercase())
        else {
            return false;
        };
        self.allowed_domains.contains(&domain)
    }
}

fn parse_payment(p: &mut Args) -> Result<Payment> {
    let payment = match <Choice<PaymentMode> as Arg>::read(p, "mode")? {
        PaymentMode::Full => Payment::Full,
        PaymentMode::Deposit => {
            let f = p.field("percent");
            let s = p.req_str("percent")?;
            let pct = parse_percent(&f, &s)?;
            if pct <= Decimal::ZERO || pct >= Decimal::ONE_HUNDRED {
                return Err(Error::validation(f, "must be strictly between 0 and 100"));
            }
            Payment::Deposit(pct)
        }
    };
    p.finish()?;
    Ok(payment)
}

fn parse_unique_list(
    args: &mut Args,
    key: &str,
    each: fn(&str, &Value) -> Result<String>,
) -> Result<Vec<String>> {
    let list = args.opt_array(key, each)?.unwrap_or_default();
    for (i, v) in list.iter().enumerate() {
        if list[..i]
            .iter()
            .any(|o| o.to_lowercase() == v.to_lowercase())
        {
            return Err(Error::validation(
                format!("{}[{i}]", args.field(key)),
                format!("{v:?} is listed twice"),
            ));
        }
    }
    Ok(list)
}

/// An allowed e-mail domain: `acme.com` (a leading `@` is dropped), lower-cased.
fn domain_element(field: &str, v: &Value) -> Result<String> {
    let s = line_element(field, v)?;
    let d = s.strip_prefix('@').unwrap_or(&s).to_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !d.contains('.') || !d.split('.').all(label_ok) {
        return Err(Error::validation(
            field,
            format!("{s:?} is not an e-mail domain like \"acme.com\""),
        ));
    }
    Ok(d)
}

/// The items, every bad field collected in `c`; `None` when any was bad.
fn parse_items(args: &mut Args, currency: Currency, c: &mut Collect) -> Result<Option<Vec<Item>>> {
    let field = args.field("items");
    let read = args.opt_array("items", |f, v| {
        let mut a = match Args::element(f, v) {
            Ok(a) => a,
            Err(e) => return c.take::<Item>(Err(e)),
        };
        let name = c.take(a.req_line("name"))?;
        let base_price = c.take(a.req_money("base_price", currency))?;
        let cost = c.take(
            a.opt_object("cost")
                .and_then(|o| o.map(|mut o| parse_cost(&mut o, currency)).transpose()),
        )?;
        c.take(a.finish())?;
        Ok(match (name, base_price, cost) {
            (Some(name), Some(base_price), Some(cost)) => Some(Item {
                name,
                base_price,
                cost,
            }),
            _ => None,
        })
    });
    let Some(read) = c.take(read)? else {
        return Ok(None);
    };
    let Some(read) = read else {
        c.take::<()>(Err(Error::validation(&field, "is required")))?;
        return Ok(None);
    };
    if read.is_empty() || read.len() > MAX_ITEMS {
        c.take::<()>(Err(Error::validation(
            &field,
            format!("must hold 1 to {MAX_ITEMS} items"),
        )))?;
        return Ok(None);
    }
    let Some(items) = read.into_iter().collect::<Option<Vec<Item>>>() else {
        return Ok(None);
    };
    for (i, it) in items.iter().enumerate() {
        if items[..i]
            .iter()
            .any(|o| o.name.to_lowercase() == it.name.to_lowercase())
        {
            c.take::<()>(Err(Error::validation(
                format!("{field}[{i}].name"),
                format!("{:?} is already the name of another item", it.name),
            )))?;
            return Ok(None);
        }
    }
    Ok(Some(items))
}

/// An item's `cost`: a unit price and/or packs (size >= 2, each size once,
/// at most `MAX_PACKS`); at least one of the two.
fn parse_cost(a: &mut Args, currency: Currency) -> Result<Cost> {
    let unit = if a.has("unit") {
        Some(a.req_money("unit", currency)?)
    } else {
        a.raw("unit");
        None
    };
    let pf = a.field("packs");
    let packs = a
        .opt_array("packs", |f, v| {
            let mut p = Args::element(f, v)?;
            let size = p.req_int_in("size", 2, MAX_QTY)?;
            let price = p.req_money("price", currency)?;
            p.finish()?;
            Ok((size, price))
        })?
        .unwrap_or_default();
    a.finish()?;
    if packs.len() > MAX_PACKS {
        return Err(Error::validation(
            pf,
            format!("at most {MAX_PACKS} pack sizes"),
        ));
    }
    for (i, (size, _)) in packs.iter().enumerate() {
        if packs[..i].iter().any(|(s, _)| s == size) {
            return Err(Error::validation(
                format!("{pf}[{i}].size"),
                format!("a pack of {size} is listed twice"),
            ));
        }
    }
    if unit.is_none() && packs.is_empty() {
        let f = a.field("");
        return Err(Error::validation(
            f.trim_end_matches('.'),
            "needs a unit price, packs, or both",
        ));
    }
    Ok(Cost { unit, packs })
}

/// The tiers, every bad field collected in `c`; `None` when any was bad.
fn parse_tiers(
    args: &mut Args,
    currency: Currency,
    items: &[Item],
    c: &mut Collect,
) -> Result<Option<Vec<Tier>>> {
    let field = args.field("tiers");
    let read = args.opt_array("tiers", |f, v| {
        let mut a = match Args::element(f, v) {
            Ok(a) => a,
            Err(e) => return c.take::<Tier>(Err(e)),
        };
        let min_qty = c.take(a.req_int_in("min_qty", 1, MAX_QTY))?;
        let pf = a.field("prices");
        let prices = a.opt_array("prices", |pf, pv| {
            c.take(match pv {
                Value::String(s) => currency.parse_positive(pf, s),
                _ => Err(Error::validation(
                    pf,
                    "must be a decimal string like \"12.50\"",
                )),
            })
        });
        let prices = match c.take(prices)? {
            None => None,
            Some(None) => c.take::<Vec<i64>>(Err(Error::validation(&pf, "is required")))?,
            Some(Some(p)) if p.len() != items.len() => {
                c.take::<Vec<i64>>(Err(Error::validation(
                    &pf,
                    format!(
                        "must hold one price per item ({}), in item order",
                        items.len()
                    ),
                )))?
            }
            Some(Some(p)) => p.into_iter().collect::<Option<Vec<i64>>>(),
        };
        let reward = c.take(a.opt_text("reward"))?;
        c.take(a.finish())?;
        Ok(match (min_qty, prices, reward) {
            (Some(min_qty), Some(prices), Some(reward)) => Some(Tier {
                min_qty,
                prices,
                reward,
            }),
            _ => None,
        })
    });
    let Some(read) = c.take(read)? else {
        return Ok(None);
    };
    let read = read.unwrap_or_default();
    if read.len() > MAX_TIERS {
        c.take::<()>(Err(Error::validation(
            &field,
            format!("at most {MAX_TIERS} tiers"),
        )))?;
        return Ok(None);
    }
    let Some(tiers) = read.into_iter().collect::<Option<Vec<Tier>>>() else {
        return Ok(None);
    };
    let checked = check_ladder(&field, currency, items, &tiers);
    Ok(c.take(checked)?.map(|()| tiers))
}

/// The ladder's order: thresholds strictly increase, and each price is at
/// most the one before it (the base price for tier 1).
fn check_ladder(field: &str, currency: Currency, items: &[Item], tiers: &[Tier]) -> Result<()> {
    for (t, tier) in tiers.iter().enumerate() {
        if t > 0 && tier.min_qty <= tiers[t - 1].min_qty {
            return Err(Error::validation(
                format!("{field}[{t}].min_qty"),
                format!(
                    "must be greater than the previous tier's threshold ({})",
                    tiers[t - 1].min_qty
                ),
            ));
        }
        for (i, &price) in tier.prices.iter().enumerate() {
            let (above, what) = match t {
                0 => (items[i].base_price, "the item's base price"),
                _ => (tiers[t - 1].prices[i], "the previous tier's price"),
            };
            if price > above {
                return Err(Error::validation(
                    format!("{field}[{t}].prices[{i}]"),
                    format!(
                        "{} for {:?} is more than {what} ({})",
                        currency.format(price),
                        items[i].name,
                        currency.format(above)
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cars() -> Terms {
        let mut a = Args::new(json!({
            "title": "Cars", "currency": "USD", "closes_at": "2026-12-01T00:00:00Z",
            "min_qty": 3, "payment": {"mode": "full"}, "approval": "auto",
            "items": [{"name": "model #1", "base_price": "30000.00"},
                      {"name": "model #5", "base_price": "25000.00"}],
            "tiers": [{"min_qty": 4, "prices": ["29500.00", "24800.00"]}]
        }))
        .unwrap();
        let t = Terms::parse(&mut a).unwrap();
        a.finish().unwrap();
        t
    }

    #[test]
    fn levels_and_next_tier() {
        let t = cars();
        assert_eq!(t.level(0), -1);
        assert_eq!(t.level(2), -1);
        assert_eq!(t.level(3), 0);
        assert_eq!(t.level(4), 1);
        assert_eq!(t.level(400), 1);
        assert_eq!(
            t.next_tier(0),
            Some(NextTier {
                level: 0,
                min_qty: 3,
                missing: 3
            })
        );
        assert_eq!(
            t.next_tier(3),
            Some(NextTier {
                level: 1,
                min_qty: 4,
                missing: 1
            })
        );
        assert_eq!(t.next_tier(4), None);
        assert_eq!(t.unit_price(0, 1), 2_950_000);
        assert_eq!(t.unit_price(1, 0), 2_500_000);
        assert_eq!(t.unit_price(1, -1), 2_500_000);
    }

    #[test]
    fn tier_below_minimum_is_reached_with_the_minimum() {
        let mut t = cars();
        t.tiers[0].min_qty = 2;
        assert_eq!(t.level(2), -1);
        assert_eq!(t.level(3), 1);
        assert_eq!(
            t.next_tier(0),
            Some(NextTier {
                level: 1,
                min_qty: 3,
                missing: 3
            })
        );
    }

    #[test]
    fn domains_compare_exactly_and_case_insensitively() {
        let mut t = cars();
        t.allowed_domains = vec!["acme.com".into()];
        assert!(t.admits_email(Some("Ann@ACME.com")));
        assert!(!t.admits_email(Some("ann@mail.acme.com")));
        assert!(!t.admits_email(None));
    }

    #[test]
    fn to_args_round_trips() {
        let t = cars();
        let mut a = Args::new(t.to_args()).unwrap();
        assert_eq!(Terms::parse(&mut a).unwrap(), t);
        a.finish().unwrap();
    }
}
