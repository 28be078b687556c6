//! Tier economics (SPEC section 11), pure: what the merchant charges for a
//! quantity (`Cost`, the cheapest mix of single units and packs), where a
//! tier ladder sells below that cost (`losses`), and when buying the units
//! still missing for the next level makes the group pay less (`buy_more`).
//!
//! Amounts here are `i128` minor units: a quantity (up to 10^9) times a
//! price (up to 10^15) does not fit an `i64`.

use crate::deal::Terms;

/// The largest quantity `check_tiers` looks at (SPEC section 11).
pub const MAX_CHECK_QTY: i64 = 100_000;
/// The most pack sizes an item's cost may list.
pub const MAX_PACKS: usize = 10;

/// What the merchant charges the organizer for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cost {
    /// The price of a single unit, minor units (`None`: sold only in packs).
    pub unit: Option<i64>,
    /// `(size, price)` of each pack (size >= 2), in the order given.
    pub packs: Vec<(i64, i64)>,
}

impl Cost {
    /// `cost(q)` for every `q` in `0..=up_to`: the cheapest mix of units and
    /// packs that covers at least `q` units. A covering mix either holds a
    /// unit (without it, it covers `q - 1`) or a pack of size `s` (without
    /// it, `q - s`), so `cost(q) = min(unit + cost(q - 1), price + cost(q - s))`
    /// with `cost(n) = 0` for `n <= 0`.
    pub fn table(&self, up_to: usize) -> Vec<i128> {
        let mut t = vec![0_i128; up_to + 1];
        for q in 1..=up_to {
            let mut best = i128::MAX;
            if let Some(u) = self.unit {
                best = best.min(t[q - 1] + i128::from(u));
            }
            for &(size, price) in &self.packs {
                let rest = q.saturating_sub(usize::try_from(size).unwrap_or(usize::MAX));
                best = best.min(t[rest] + i128::from(price));
            }
            t[q] = best;
        }
        t
    }
}

/// One quantity's figures for an item sold at the ladder's price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub quantity: i64,
    pub revenue: i128,
    pub cost: i128,
}

impl Point {
    pub fn margin(&self) -> i128 {
        self.revenue - self.cost
    }
}

/// A run of consecutive losing quantities and its worst point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loss {
    pub from: i64,
    pub to: i64,
    pub worst: Point,
}

/// The revenue of `q` units of item `item` at the price of the level `q`
/// reaches (SPEC section 11: as if all `q` units were that item).
pub fn revenue(terms: &Terms, item: usize, q: i64) -> i128 {
    i128::from(q) * i128::from(terms.unit_price(item, terms.level(q)))
}

/// The losing ranges of `item` for quantities `from..=to`, given its cost
/// table (which must reach `to`).
pub fn losses(terms: &Terms, item: usize, table: &[i128], from: i64, to: i64) -> Vec<Loss> {
    let mut out: Vec<Loss> = vec![];
    let mut open = false;
    for q in from.max(1)..=to {
        let p = Point {
            quantity: q,
            revenue: revenue(terms, item, q),
            cost: table[q as usize],
        };
        if p.revenue >= p.cost {
            open = false;
            continue;
        }
        match out.last_mut() {
            Some(run) if open => {
                run.to = q;
                if p.margin() < run.worst.margin() {
                    run.worst = p;
                }
            }
            _ => out.push(Loss {
                from: q,
                to: q,
                worst: p,
            }),
        }
        open = true;
    }
    out
}

/// `check_tiers`'s default upper quantity: the largest of the stock cap,
/// twice the last tier's threshold and twice `min_qty`, at most
/// [`MAX_CHECK_QTY`].
pub fn default_up_to(terms: &Terms) -> i64 {
    let last_tier = terms.tiers.last().map_or(0, |t| t.min_qty);
    terms
        .stock
        .unwrap_or(0)
        .max(last_tier.saturating_mul(2))
        .max(terms.min_qty.saturating_mul(2))
        .min(MAX_CHECK_QTY)
}

/// The proposal of SPEC section 11's `buy_more`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyMore {
    pub item: usize,
    pub units: i64,
    pub level: i64,
    pub total_now: i128,
    pub total_after: i128,
}

/// `buy_more` for an open deal whose items have `approved[j]` approved
/// units: buying the `next_tier.missing` units of one item, the item whose
/// total after is smallest (the first on a tie), when that total is below
/// what the group pays now. `None` at the top level.
pub fn buy_more(terms: &Terms, approved: &[i64]) -> Option<BuyMore> {
    let total: i64 = approved.iter().sum();
    let next = terms.next_tier(total)?;
    let level = terms.level(total);
    let sum_at = |lvl: i64, extra: Option<usize>| -> i128 {
        approved
            .iter()
            .enumerate()
            .map(|(j, &q)| {
                let q = q + if extra == Some(j) { next.missing } else { 0 };
                i128::from(q) * i128::from(terms.unit_price(j, lvl))
            })
            .sum()
    };
    let now = sum_at(level, None);
    let (item, after) = (0..terms.items.len())
        .map(|i| (i, sum_at(next.level, Some(i))))
        .min_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))?;
    (after < now).then_some(BuyMore {
        item,
        units: next.missing,
        level: next.level,
        total_now: now,
        total_after: after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use serde_json::json;

    fn book_deal(tiers: serde_json::Value) -> Terms {
        let mut a = Args::new(json!({
            "title": "Books", "currency": "EUR", "closes_at": "2026-12-01T00:00:00Z",
            "min_qty": 1, "payment": {"mode": "full"}, "approval": "auto",
            "items": [{"name": "Book", "base_price": "10.00",
                       "cost": {"unit": "10.00", "packs": [{"size": 10, "price": "80.00"}]}}],
            "tiers": tiers,
        }))
        .unwrap();
        let t = Terms::parse(&mut a).unwrap();
        a.finish().unwrap();
        t
    }

    /// The cheapest covering mix by trying every count of every pack and
    /// units for the rest: the brute force the table must agree with.
    fn brute_cost(cost: &Cost, q: i64) -> i128 {
        fn go(cost: &Cost, k: usize, need: i64) -> i128 {
            if k == cost.packs.len() {
                return match cost.unit {
                    Some(u) => i128::from(need.max(0)) * i128::from(u),
                    None if need <= 0 => 0,
                    None => i128::MAX / 4,
                };
            }
            let (size, price) = cost.packs[k];
            let mut best = i128::MAX / 4;
            let mut n = 0;
            loop {
                let rest = need - n * size;
                best = best.min(i128::from(n) * i128::from(price) + go(cost, k + 1, rest));
                if rest <= 0 {
                    break;
                }
                n += 1;
            }
            best
        }
        go(cost, 0, q)
    }

    #[test]
    fn the_seed_example_books_and_boxes() {
        let t = book_deal(json!([{"min_qty": 10, "prices": ["8.00"]}]));
        let cost = t.items[0].cost.clone().unwrap();
        let table = cost.table(20);
        assert_eq!(table[11], 9000);
        assert_eq!(table[18], 16000);
        assert_eq!(table[19], 16000);
        assert_eq!(default_up_to(&t), 20);
        let l = losses(&t, 0, &table, t.min_qty, 20);
        assert_eq!(
            l,
            vec![Loss {
                from: 11,
                to: 19,
                worst: Point {
                    quantity: 18,
                    revenue: 14400,
                    cost: 16000
                }
            }]
        );
    }

    #[test]
    fn the_table_matches_a_brute_force_over_every_mix() {
        let costs = [
            Cost {
                unit: Some(700),
                packs: vec![(3, 1800), (7, 4000), (12, 6500)],
            },
            Cost {
                unit: None,
                packs: vec![(4, 1000), (6, 1400)],
            },
            Cost {
                unit: Some(100),
                packs: vec![(2, 250)],
            },
            Cost {
                unit: None,
                packs: vec![(5, 999)],
            },
        ];
        for cost in &costs {
            let table = cost.table(40);
            for q in 0..=40 {
                assert_eq!(table[q as usize], brute_cost(cost, q), "{cost:?} q={q}");
            }
        }
    }

    #[test]
    fn buy_more_the_spec_example_and_its_nulls() {
        let t = book_deal(json!([{"min_qty": 10, "prices": ["8.00"]}]));
        assert_eq!(
            buy_more(&t, &[9]),
            Some(BuyMore {
                item: 0,
                units: 1,
                level: 1,
                total_now: 9000,
                total_after: 8000
            })
        );
        // 5 approved: 5 more at 8.00 is 80.00, more than 50.00 now.
        assert_eq!(buy_more(&t, &[5]), None);
        // The top level.
        assert_eq!(buy_more(&t, &[10]), None);
    }
}
