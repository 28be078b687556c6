// Tier economics as the core computes them (SPEC section 11): the loss
// ranges of `check_tiers`, the `buy_more` proposal and the margin now.
// Nothing here computes an amount: the strings are the core's.

import { el } from "../dom.js";
import { levelName, money } from "../format.js";

/** "Tier 1 loses money from 11 to 19 units (worst at 18: ...)" per item. */
export function lossesList(check) {
  if (!check.items.length) return el("p", { class: "muted" }, "No item has a merchant cost: nothing to check.");
  const c = check.currency;
  return el(
    "ul",
    { class: "loss-list", "data-test": "loss-list" },
    check.items.map((it) =>
      el(
        "li",
        { "data-test": `losses-${it.item}` },
        el("strong", {}, it.item),
        ": ",
        it.losses.length
          ? it.losses.map((l, k) => [
              k ? "; " : "",
              el(
                "span",
                { class: "loss", "data-test": "loss" },
                `loses money from ${l.from} to ${l.to} units (worst at ${l.worst.quantity}: the group pays ${money(l.worst.revenue, c)}, the merchant charges ${money(l.worst.cost, c)}, margin ${money(l.worst.margin, c)})`,
              ),
            ])
          : el("span", { class: "ok" }, `no loss up to ${check.up_to} units`),
      ),
    ),
  );
}

/** The `buy_more` card: "2 more Jar unlock tier 1: the group pays 81.00 instead of 87.00". */
export function buyMoreCard(deal) {
  const b = deal.buy_more;
  if (!b) return null;
  return el(
    "p",
    { class: "card buy-more", "data-test": "buy-more" },
    el("strong", {}, "Buying more costs less: "),
    `${b.units} more ${b.item} unlock${b.units === 1 ? "s" : ""} ${levelName(b.level)}: the group pays ${money(b.total_after, deal.currency)} instead of ${money(b.total_now, deal.currency)} (${money(b.saving, deal.currency)} less, with more to take home).`,
  );
}
