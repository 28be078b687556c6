// The deal page's toolbox: the share text to copy into the participants'
// chat, the merchant order with its exports, and the ways to the sign-up
// import and the pickup lists.

import * as api from "../api.js";
import { load } from "../components/errors.js";
import { copyText, exportButtons } from "../components/files.js";
import { table } from "../components/table.js";
import { el, fill } from "../dom.js";
import { money, moneyEl } from "../format.js";

/** A file name from a deal title: "Cars 2026" -> "cars-2026". */
export function slug(text) {
  return (
    String(text)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "deal"
  );
}

/** The merchant order; once a delivery is recorded, ordered and delivered side by side. */
function orderTable(order) {
  const delivered = order.items.some((r) => r.delivered !== undefined);
  const sum = (key) => String(order.items.reduce((n, r) => n + r[key], 0));
  return table({
    test: "merchant-order",
    caption: "Order for the merchant",
    rows: order.items,
    columns: [
      { label: "Item", cell: (r) => r.item },
      { label: delivered ? "Ordered" : "Quantity", num: true, cell: (r) => String(r.quantity) },
      delivered ? { label: "Delivered", num: true, cell: (r) => String(r.delivered) } : null,
      { label: `Unit price (${order.currency})`, num: true, cell: (r) => moneyEl(r.unit_price) },
      { label: `Total (${order.currency})`, num: true, cell: (r) => moneyEl(r.total) },
      delivered ? { label: `Delivered total (${order.currency})`, num: true, cell: (r) => moneyEl(r.delivered_total) } : null,
    ].filter(Boolean),
    foot: delivered
      ? ["Total", String(order.quantity), sum("delivered"), "", moneyEl(order.total), moneyEl(order.delivered_total ?? "")]
      : ["Total", String(order.quantity), "", moneyEl(order.total)],
  });
}

export function toolboxPanel(dealId) {
  const node = el("section", { class: "panel", "aria-labelledby": "toolbox-h", "data-test": "toolbox" });

  /** `orderAsked`: the deal page's one ask for the merchant order (null when it failed). */
  async function update(deal, orderAsked) {
    const [share, order] = await Promise.all([load(() => api.shareText({ deal_id: dealId })), orderAsked]);
    if (!share || !order) return;
    const name = slug(deal.title);
    fill(
      node,
      el("h2", { id: "toolbox-h" }, "Toolbox"),
      el(
        "div",
        { class: "actions" },
        deal.status === "open"
          ? el("a", { href: `#/deals/${dealId}/import`, class: "button secondary", "data-test": "open-import" }, "Import sign-ups")
          : null,
        el("a", { href: `#/deals/${dealId}/pickup`, class: "button secondary", "data-test": "open-pickup" }, "Pickup lists"),
      ),
      el("h3", {}, "Share in the participants' chat"),
      el("pre", { class: "share-text", "data-test": "share-text" }, share.text),
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", class: "primary small", "data-test": "copy-share", onclick: () => copyText(share.text, "The share text") }, "Copy share text"),
      ),
      el("h3", {}, "Order for the merchant"),
      orderTable(order),
      order.commission
        ? el("p", { "data-test": "commission" }, `Your commission: ${order.commission_percent}% of ${money(order.total)} = ${money(order.commission, order.currency)}`)
        : null,
      el(
        "div",
        { class: "actions" },
        exportButtons("Merchant order", api.exportMerchantOrder, { deal_id: dealId }, `order-${name}`, "export-order"),
      ),
    );
  }

  return { node, update };
}
