// Deal page: header and actions, tier ladder, items and prices, bookings,
// approval queue and the settlement panel.

import * as api from "../api.js";
import { confirmDialog } from "../components/dialog.js";
import { attempt, load } from "../components/errors.js";
import { serial } from "../components/serial.js";
import { table } from "../components/table.js";
import { el, field, fill, painted } from "../dom.js";
import { levelLabel, levelName, money, moneyEl, statusBadge, timeEl, when } from "../format.js";
import { bookingPanels } from "./deal-bookings.js";
import { settlementPanel } from "./deal-settlement.js";
import { toolboxPanel } from "./deal-toolbox.js";
import { deliveryPanel } from "./deal-delivery.js";
import { buyMoreCard, lossesList } from "./economics.js";
import { peopleCache } from "../components/people.js";
import { ladder } from "./ladder.js";

function stat(label, value, test, attrs = {}, wide = false, hint = null) {
  return el(
    "div",
    { class: wide ? "stat wide" : "stat" },
    el("span", { class: "stat-label" }, label),
    el("span", { class: "stat-value", "data-test": test, ...attrs }, value),
    hint ? el("span", { class: "term-hint" }, hint) : null,
  );
}

/** A domain term with its one-line hint beside it. */
function term(text, hint) {
  return el("p", { class: "term" }, el("span", { class: "term-name" }, text), " ", el("span", { class: "term-hint" }, hint));
}

function itemsTable(deal) {
  return table({
    test: "items",
    caption: "Items and prices",
    rows: deal.items.map((item, i) => ({ item, i })),
    columns: [
      { label: "Item", cell: ({ item }) => item.name },
      { label: "Base price", num: true, cell: ({ item }) => moneyEl(item.base_price) },
      ...deal.tiers.map((t, k) => ({
        label: `Tier ${k + 1} (${t.min_qty}+)`,
        num: true,
        className: deal.level === k + 1 ? "current-col" : "",
        cell: ({ i }) => moneyEl(t.prices[i]),
      })),
      { label: `Current (${deal.currency})`, num: true, className: "current-col strong", cell: ({ i }) => moneyEl(deal.current_prices[i]) },
    ],
  });
}

function rewards(deal) {
  const list = deal.tiers.filter((t) => t.reward);
  if (!list.length) return null;
  return el(
    "ul",
    { class: "rewards" },
    deal.tiers.map((t, k) =>
      t.reward ? el("li", { class: deal.level > k ? "reached" : "" }, el("strong", {}, `Tier ${k + 1} reward: `), t.reward) : null,
    ),
  );
}

export function mount(root, dealId) {
  const refresh = serial(draw);
  const heading = el("h1", {}, "Deal");
  const head = el("div", { class: "deal-head" });
  const stats = el("div", { class: "stats" });
  const ladderBox = el("section", { class: "panel", "aria-labelledby": "ladder-h" });
  const buyMore = el("div", { class: "buy-more-box" });
  let ladderItem = 0;
  let last = null;
  const itemsBox = el("section", { class: "panel", "aria-labelledby": "items-h" });
  // Names of the participants the page shows, without listing them all.
  const people = peopleCache();
  const bookings = bookingPanels(dealId, refresh, people);
  const settlement = settlementPanel(dealId);
  const toolbox = toolboxPanel(dealId);
  const delivery = deliveryPanel(dealId, () => refresh());
  // What the last action on the deal did, said once under its buttons.
  const said = el("p", { class: "confirm-line", role: "status", "data-test": "deal-confirmation" });
  root.append(
    el("header", { class: "page-head" }, heading, el("a", { href: "#/deals", class: "button secondary" }, "All deals")),
    head,
    said,
    stats,
    bookings.form,
    buyMore,
    ladderBox,
    itemsBox,
    ...bookings.nodes,
    delivery.node,
    toolbox.node,
    settlement.node,
  );

  // B (outside a text field, without modifiers) goes to the Book form.
  const onKey = (e) => {
    if (!root.isConnected) {
      document.removeEventListener("keydown", onKey);
      return;
    }
    if (e.key !== "b" && e.key !== "B") return;
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.closest?.("dialog"))) return;
    if (bookings.goToForm()) e.preventDefault();
  };
  document.addEventListener("keydown", onKey);

  /** Runs an action; on success says `done` (text, or a function of the result) and refreshes. */
  async function act(fn, done) {
    const r = await attempt(fn);
    if (!r) return;
    fill(said, typeof done === "function" ? done(r) : done || "");
    refresh();
  }

  async function endFlow(deal) {
    const s = await attempt(() => api.previewSettlement({ deal_id: deal.id, limit: 1 }));
    if (!s) return;
    const outcome =
      s.outcome === "settled"
        ? `The deal is settled at ${levelName(s.level)} with ${s.approved_qty} approved units: refunds ${money(s.totals.refund, deal.currency)}, charges ${money(s.totals.due, deal.currency)} more.`
        : `The deal fails with ${s.approved_qty} approved units (minimum ${deal.min_qty}): everything charged, ${money(s.totals.charged_before, deal.currency)}, is refunded.`;
    const ok = await confirmDialog({
      title: `End “${deal.title}” now?`,
      test: "end-dialog",
      confirmTest: "confirm-end",
      confirmLabel: "End deal now",
      danger: true,
      body: [
        el("p", { "data-test": "end-outcome" }, `Bookings close. ${outcome} Pending bookings expire.`),
        el("p", { class: "warning" }, "This cannot be undone."),
      ],
    });
    if (ok)
      act(
        () => api.endDeal({ deal_id: deal.id }),
        (r) =>
          r.outcome === "settled"
            ? `Deal ended: settled at ${levelName(r.level)} with ${r.approved_qty} approved units. Refunds and charges are in the wallets; the Money page shows who owes you and whom you owe.`
            : `Deal ended: it failed with ${r.approved_qty} approved units, below the minimum. Everything charged was refunded.`,
      );
  }

  /** A draft with the same terms, opened in the editor to set its dates. */
  async function repeatFlow(deal) {
    const copy = await attempt(() => api.cloneDeal({ deal_id: deal.id }));
    if (copy) location.hash = `#/deals/${copy.id}/repeat`;
  }

  async function cancelDealFlow(deal) {
    const reason = el("textarea", { id: "cancel-deal-reason", rows: 2 });
    const ok = await confirmDialog({
      title: `Cancel “${deal.title}”?`,
      test: "cancel-deal-dialog",
      confirmTest: "confirm-cancel-deal",
      confirmLabel: "Cancel deal",
      cancelLabel: "Keep deal",
      danger: true,
      body: [
        el("p", {}, "Every booking is cancelled and everything charged is refunded."),
        deal.approved_qty > 0 ? el("p", { class: "warning" }, "The deal has approved bookings: cancelling it records a penalty on your organizer reputation.") : null,
        field("Reason (optional)", reason),
      ],
    });
    if (!ok) return;
    const args = { deal_id: deal.id };
    if (reason.value.trim()) args.reason = reason.value;
    act(() => api.cancelDeal(args), "Deal cancelled: every booking is cancelled and everything charged was refunded.");
  }

  /** The ladder of the chosen item, its loss bands, and the cost check. */
  function renderLadder(deal, check) {
    if (ladderItem >= deal.items.length) ladderItem = 0;
    const name = deal.items[ladderItem].name;
    const losses = check?.items.find((it) => it.item === name)?.losses ?? [];
    const choose =
      deal.items.length > 1
        ? el(
            "div",
            { class: "search" },
            el("label", { for: "ladder-item" }, "Item"),
            el(
              "select",
              {
                id: "ladder-item",
                "data-test": "ladder-item",
                onchange: (e) => {
                  ladderItem = Number(e.target.value);
                  renderLadder(...last);
                },
              },
              deal.items.map((it, i) => el("option", { value: i, selected: i === ladderItem }, it.name)),
            ),
          )
        : null;
    fill(
      ladderBox,
      el("div", { class: "panel-head" }, el("h2", { id: "ladder-h" }, "Tier ladder"), choose),
      ladder(deal, { item: ladderItem, losses }),
      rewards(deal),
      check && check.items.length ? el("details", { class: "loss-details" }, el("summary", {}, "Merchant cost check"), lossesList(check)) : null,
    );
  }

  function renderHead(deal, check, endedAt) {
    heading.textContent = deal.title;
    const ended = ["settled", "failed", "cancelled"].includes(deal.status);
    const editable = deal.status === "draft" || deal.status === "open";
    fill(
      head,
      el(
        "div",
        { class: "deal-meta" },
        statusBadge(deal.status, { "data-test": "deal-status" }),
        deal.merchant ? el("span", {}, deal.merchant) : null,
        ended
          ? el("span", { "data-test": "deal-ended" }, `${deal.status === "cancelled" ? "Cancelled" : "Ended"} `, timeEl(endedAt ?? deal.updated_at))
          : el("span", { "data-test": "deal-closes" }, "Closes ", timeEl(deal.closes_at)),
        deal.opens_at && !ended ? el("span", {}, "Opens ", timeEl(deal.opens_at)) : null,
      ),
      el(
        "div",
        { class: "terms" },
        term(
          deal.payment.mode === "deposit" ? `Payment at approval: deposit ${deal.payment.percent}%` : "Payment at approval: full price",
          deal.payment.mode === "deposit"
            ? "Approval charges the deposit; the rest, at the final price, when the deal ends."
            : "Approval charges the base price; a lower final price is refunded at the end.",
        ),
        term(
          deal.approval === "manual" ? "Approval: manual" : "Approval: automatic",
          deal.approval === "manual" ? "Bookings wait in the queue until you approve them." : "Every valid booking is approved, and charged, at once.",
        ),
      ),
      deal.description ? el("p", { class: "description" }, deal.description) : null,
      deal.cancel_reason ? el("p", { class: "notice" }, `Cancelled: ${deal.cancel_reason}`) : null,
      el(
        "div",
        { class: "actions" },
        deal.status === "draft"
          ? el(
              "button",
              {
                type: "button",
                class: "primary",
                "data-test": "open-deal",
                onclick: () => act(() => api.openDeal({ deal_id: deal.id }), (d) => `Deal opened: bookings are taken until ${when(d.closes_at)}. Book participants below (press B).`),
              },
              "Open deal",
            )
          : null,
        deal.status === "open" ? el("button", { type: "button", class: "primary", "data-test": "go-book", title: "Go to the Book form (B)", onclick: () => bookings.goToForm() }, "Book…") : null,
        editable ? el("a", { href: `#/deals/${deal.id}/edit`, class: "button secondary", "data-test": "edit-deal" }, "Edit") : null,
        deal.status === "open" ? el("button", { type: "button", class: "secondary", "data-test": "end-deal", onclick: () => endFlow(deal) }, "End deal now") : null,
        el("button", { type: "button", class: "secondary", "data-test": "repeat-deal", title: "A new draft with the same terms and no bookings", onclick: () => repeatFlow(deal) }, "Repeat this deal"),
        editable ? el("button", { type: "button", class: "danger-outline", "data-test": "cancel-deal", onclick: () => cancelDealFlow(deal) }, "Cancel deal") : null,
      ),
    );
    fill(
      stats,
      stat("Approved", String(deal.approved_qty), "approved-qty", {}, false, "count for the tiers"),
      stat("Pending", String(deal.pending_qty), "pending-qty", {}, false, "wait for your approval"),
      stat("Level", levelLabel(deal.level), "deal-level", { "data-level": deal.level }, false, "reached by approved units"),
      stat("Minimum", String(deal.min_qty), "min-qty", {}, false, "units for the deal to happen"),
      check?.margin_now
        ? stat("Your margin now", money(check.margin_now.margin, deal.currency), "margin-now", { title: `The group pays ${money(check.margin_now.revenue)}, the merchant charges ${money(check.margin_now.cost)}${check.margin_now.complete ? "" : " (items without a cost left out)"}` })
        : null,
      stat("Current prices", `${deal.items.map((it, i) => `${it.name} ${money(deal.current_prices[i])}`).join(" · ")} ${deal.currency}`, "current-prices", {}, true),
    );
    fill(buyMore, buyMoreCard(deal));
    last = [deal, check];
    renderLadder(deal, check);
    fill(itemsBox, el("h2", { id: "items-h" }, "Items and prices"), itemsTable(deal));
  }

  async function draw() {
    const deal = await load(() => api.getDeal({ deal_id: dealId }));
    if (!deal) return;
    const check = deal.items.some((it) => it.cost) ? await load(() => api.checkTiers({ deal_id: deal.id })) : null;
    renderHead(deal, check, deal.ended_at ?? null);
    // What the top of the page shows first; the settlement panel at its foot
    // (on a large deal the most costly call: its totals read every line,
    // 76 ms for 100,000 bookings) once they are painted, so it never holds
    // up the bookings nor competes with their first frame.
    // The merchant order is asked once, for the toolbox and the delivery panel.
    const order = load(() => api.merchantOrder({ deal_id: deal.id }));
    await Promise.all([bookings.update(deal), delivery.update(deal, people.map, order), toolbox.update(deal, order)]);
    await painted();
    const s = deal.status === "draft" ? null : await settlement.load(people);
    await settlement.update(deal, people.map, s);
  }

  refresh();
  return { refresh };
}
