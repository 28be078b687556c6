// The deal page's delivery panel (SPEC section 12): on a settled deal, what
// the merchant delivered, item by item, the rule that shares a shortfall,
// the core's preview of who loses how many units and their refunds, then
// the recorded delivery. Nothing is computed here: the lines are the core's.

import * as api from "../api.js";
import { confirmDialog } from "../components/dialog.js";
import { attempt } from "../components/errors.js";
import { table } from "../components/table.js";
import { el, fill, options } from "../dom.js";
import { money, moneyEl, plural } from "../format.js";

const RULES = [
  ["booking_order", "The latest bookings lose units first"],
  ["proportional", "Every booking loses in proportion"],
];

/** A whole number as a JSON number; anything else as typed, for the core to refuse. */
function qty(value) {
  const v = value.trim();
  return /^-?\d{1,15}$/.test(v) ? Number(v) : v;
}

export function deliveryPanel(dealId, done) {
  const node = el("section", { class: "panel", "aria-labelledby": "delivery-h", "data-test": "delivery", hidden: true });

  function previewTable(p, people) {
    return [
      el(
        "p",
        { "data-test": "delivery-summary" },
        p.totals.missing
          ? `${plural(p.totals.missing, "unit")} missing: ${plural(p.totals.bookings_refunded, "booking")} refunded ${money(p.totals.refund, p.currency)} at the final price.`
          : "Everything arrived: nobody is refunded.",
      ),
      p.lines.length
        ? table({
            test: "delivery-lines",
            caption: "Who loses how many units",
            rows: p.lines,
            rowAttrs: (l) => ({ "data-test": `delivery-line-${l.booking_id}` }),
            columns: [
              { label: "Booking", num: true, cell: (l) => `#${l.booking_id}` },
              { label: "Participant", cell: (l) => people.get(l.participant_id)?.name ?? `#${l.participant_id}` },
              { label: "Item", cell: (l) => l.item },
              { label: "Booked", num: true, cell: (l) => String(l.quantity) },
              { label: "Delivered", num: true, cell: (l) => String(l.kept) },
              { label: "Not delivered", num: true, cell: (l) => String(l.lost) },
              { label: `Refund (${p.currency})`, num: true, className: "strong", cell: (l) => moneyEl(l.refund) },
            ],
          })
        : null,
    ];
  }

  function form(deal, order, people) {
    const inputs = order.items.map((it, i) =>
      el("input", { type: "text", id: `delivered-${i}`, inputmode: "numeric", class: "num-input", value: String(it.quantity), "data-field": `delivered[${i}].quantity`, "data-test": `delivered-${i}`, "aria-label": `${it.item}: units delivered` }),
    );
    const rule = el("select", { id: "delivery-rule", "data-field": "rule", "data-test": "delivery-rule" }, options(RULES, "booking_order"));
    const preview = el("div", { "aria-live": "polite" });
    const record = el("button", { type: "button", class: "primary", "data-test": "record-delivery", disabled: true }, "Record delivery");
    const args = () => ({
      deal_id: dealId,
      delivered: order.items.map((it, i) => ({ item: it.item, quantity: qty(inputs[i].value) })),
      rule: rule.value,
    });
    const f = el(
      "form",
      { class: "inline-form", novalidate: true, "data-test": "delivery-form" },
      table({
        test: "delivery-items",
        caption: "What the merchant delivered",
        rows: order.items.map((it, i) => ({ it, i })),
        columns: [
          { label: "Item", cell: ({ it }) => it.item },
          { label: "Ordered", num: true, cell: ({ it }) => String(it.quantity) },
          { label: "Delivered", num: true, className: "cell", cell: ({ i }) => el("div", { "data-field": `delivered[${i}]` }, inputs[i]) },
        ],
      }),
      el("div", { class: "field", "data-field": "rule" }, el("label", { for: "delivery-rule" }, "When units are missing"), rule),
      el("div", { class: "form-actions" }, el("button", { type: "submit", class: "secondary", "data-test": "preview-delivery" }, "Preview"), record),
      preview,
    );
    let shown = null;
    const stale = () => {
      shown = null;
      record.disabled = true;
      fill(preview);
    };
    inputs.forEach((i) => i.addEventListener("input", stale));
    rule.addEventListener("change", stale);
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      const a = args();
      const p = await attempt(() => api.previewDelivery(a), f);
      if (!p) return;
      shown = a;
      fill(preview, previewTable(p, people));
      record.disabled = false;
    });
    record.addEventListener("click", async () => {
      if (!shown) return;
      const p = await attempt(() => api.previewDelivery(shown), f);
      if (!p) return;
      const ok = await confirmDialog({
        title: `Record the delivery of “${deal.title}”?`,
        test: "delivery-dialog",
        confirmTest: "confirm-delivery",
        confirmLabel: "Record delivery",
        body: [
          el("p", {}, p.totals.missing ? `${plural(p.totals.missing, "unit")} did not arrive: ${money(p.totals.refund, p.currency)} is refunded to ${plural(p.totals.bookings_refunded, "booking")}.` : "Everything arrived."),
          el("p", { class: "warning" }, "A delivery is recorded once: this cannot be undone."),
        ],
      });
      if (!ok) return;
      const r = await attempt(() => api.recordDelivery(shown), f);
      if (r) done();
    });
    return f;
  }

  // What the form on show was built from (null: no form on show).
  let formOf = null;

  /** `orderAsked`: the deal page's one ask for the merchant order (null when it failed). */
  async function update(deal, people, orderAsked) {
    if (deal.status !== "settled") {
      node.hidden = true;
      formOf = null;
      fill(node);
      return;
    }
    const order = await orderAsked;
    if (!order) return;
    node.hidden = false;
    const recorded = order.items.some((it) => it.delivered !== undefined);
    // A form being filled in stays as it is while the order it was built
    // from is the same: a redraw for something else (another process's
    // commit) threw away the quantities typed and the preview.
    const of = recorded ? null : JSON.stringify(order.items);
    if (of !== null && of === formOf) return;
    formOf = of;
    fill(
      node,
      el("h2", { id: "delivery-h" }, recorded ? "Delivery" : "Record delivery"),
      recorded
        ? el(
            "ul",
            { class: "plain", "data-test": "delivery-recorded" },
            order.items.map((it) => el("li", {}, `${it.item}: ${it.delivered} of ${it.quantity} delivered`)),
          )
        : [el("p", { class: "hint" }, "What the merchant delivered. Units that did not arrive are refunded at the final price; the deal's price does not change."), form(deal, order, people)],
    );
  }

  return { node, update };
}
