// Pickup lists: per pickup point, who collects what, whether they have paid
// or still owe, and a toggle to mark what was collected. Exports of the
// lists and of each participant's statement for the deal.

import * as api from "../api.js";
import { attempt, load } from "../components/errors.js";
import { exportButtons } from "../components/files.js";
import { serial } from "../components/serial.js";
import { table } from "../components/table.js";
import { el, fill } from "../dom.js";
import { moneyEl, plural } from "../format.js";
import { slug } from "./deal-toolbox.js";

export function mount(root, dealId) {
  const refresh = serial(draw);
  const heading = el("h1", {}, "Pickup lists");
  const tools = el("div", { class: "actions" });
  const body = el("div", { class: "stack" });
  root.append(
    el("header", { class: "page-head" }, heading, el("a", { href: `#/deals/${dealId}`, class: "button secondary" }, "Back to the deal")),
    tools,
    body,
  );

  async function toggle(b, collected) {
    if (await attempt(() => api.markCollected({ booking_id: b.booking_id, collected }))) refresh();
  }

  function pointPanel(point, deal, k) {
    const name = point.pickup_point ?? "No pickup point chosen";
    return el(
      "section",
      { class: "panel", "aria-labelledby": `point-h-${k}`, "data-test": `pickup-point-${k}` },
      el("h2", { id: `point-h-${k}` }, name),
      el("p", { class: "muted" }, `${plural(point.bookings.length, "booking")}, ${plural(point.quantity, "unit")}, ${point.collected} collected`),
      table({
        test: `pickup-${k}`,
        caption: `Pickup at ${name}`,
        rows: point.bookings,
        rowAttrs: (b) => ({ "data-test": `pickup-row-${b.booking_id}`, class: b.collected ? "done" : null }),
        columns: [
          {
            label: "Collected",
            cell: (b) =>
              el(
                "label",
                { class: "check" },
                el("input", {
                  type: "checkbox",
                  checked: b.collected,
                  "data-test": `collect-${b.booking_id}`,
                  "aria-label": `${b.name} collected ${b.quantity} × ${b.item}`,
                  onchange: (e) => toggle(b, e.target.checked),
                }),
              ),
          },
          { label: "Participant", cell: (b) => el("a", { href: `#/participants/${b.participant_id}` }, b.name) },
          { label: "Phone", cell: (b) => b.phone || "" },
          { label: "Item", cell: (b) => b.item },
          {
            label: "Qty",
            num: true,
            cell: (b) =>
              b.delivered === undefined || b.delivered === null
                ? String(b.quantity)
                : b.nothing_delivered
                  ? el("span", { class: "badge status-cancelled", "data-test": `nothing-delivered-${b.booking_id}` }, `nothing delivered (of ${b.quantity})`)
                  : b.delivered < b.quantity
                    ? el("span", { "data-test": `short-${b.booking_id}` }, `${b.delivered} of ${b.quantity} delivered`)
                    : String(b.delivered),
          },
          {
            label: `Paid or owing (${deal.currency})`,
            num: true,
            cell: (b) => (b.paid ? el("span", { class: "badge status-approved" }, "paid") : el("span", {}, "owes ", moneyEl(b.owes))),
          },
          {
            label: "Statement",
            cell: (b) =>
              exportButtons(`Statement of ${b.name}`, api.exportStatement, { participant_id: b.participant_id, deal_id: dealId }, `statement-${slug(b.name)}-${slug(deal.title)}`, `export-statement-${b.booking_id}`, false),
          },
        ],
      }),
    );
  }

  async function draw() {
    const [deal, list] = await Promise.all([load(() => api.getDeal({ deal_id: dealId })), load(() => api.pickupList({ deal_id: dealId }))]);
    if (!deal || !list) return;
    heading.textContent = `Pickup lists: ${deal.title}`;
    fill(tools, exportButtons("Pickup lists", api.exportPickupLists, { deal_id: dealId }, `pickup-${slug(deal.title)}`, "export-pickup"));
    fill(
      body,
      list.points.length
        ? list.points.map((p, k) => pointPanel(p, deal, k))
        : el("p", { class: "empty", "data-test": "empty-pickup" }, "No approved bookings to collect yet."),
    );
  }

  refresh();
  return { refresh };
}
