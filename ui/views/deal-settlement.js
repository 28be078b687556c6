// The settlement panel: what ending the deal now would write (open deals),
// or the settlement that was made (ended deals). Shown as returned.

import { previewSettlement } from "../api.js";
import { load } from "../components/errors.js";
import { table } from "../components/table.js";
import { el, fill } from "../dom.js";
import { levelName, moneyEl } from "../format.js";

const LINES = 50;

export function settlementPanel(dealId) {
  const box = el("section", { class: "panel", "aria-labelledby": "settle-h", "data-test": "settlement" });

  async function update(deal, people) {
    if (deal.status === "draft") {
      box.hidden = true;
      return;
    }
    // The first lines only: a large deal has one per booking (the totals cover all).
    const s = await load(() => previewSettlement({ deal_id: dealId, limit: LINES }));
    if (!s) return;
    box.hidden = false;
    const preview = deal.status === "open";
    const summary =
      s.outcome === "settled"
        ? `Settled at ${levelName(s.level)} with ${s.approved_qty} approved units.`
        : s.outcome === "failed"
          ? `Failed: ${s.approved_qty} approved units, below the minimum of ${deal.min_qty}. Everything charged is refunded.`
          : `Cancelled: everything charged is refunded.`;
    const finals = (s.final_prices || [])
      .map((p, i) => (p === null ? null : `${deal.items[i]?.name ?? `item ${i + 1}`} ${p} ${deal.currency}`))
      .filter(Boolean);
    const t = s.totals || {};
    fill(
      box,
      el("h2", { id: "settle-h" }, preview ? "If the deal ended now" : "Settlement"),
      el("p", { "data-test": "settlement-outcome" }, preview ? `Outcome: ${summary}` : summary),
      finals.length ? el("p", { class: "muted" }, `Final prices: ${finals.join(", ")}.`) : null,
      table({
        test: "settlement-lines",
        caption: "Settlement lines",
        empty: "No approved bookings.",
        rows: s.lines,
        columns: [
          { label: "#", num: true, cell: (l) => String(l.booking_id) },
          { label: "Participant", cell: (l) => people.get(l.participant_id)?.name ?? `Participant ${l.participant_id}` },
          { label: "Item", cell: (l) => l.item },
          { label: "Qty", num: true, cell: (l) => String(l.quantity) },
          { label: "Unit price", num: true, cell: (l) => moneyEl(l.final_unit_price) },
          { label: "Charged", num: true, cell: (l) => moneyEl(l.charged_before) },
          { label: "Final total", num: true, cell: (l) => moneyEl(l.final_total) },
          { label: "Refund", num: true, cell: (l) => moneyEl(l.refund) },
          { label: "Due", num: true, cell: (l) => moneyEl(l.due) },
        ],
        foot: ["Totals", "", "", "", "", moneyEl(t.charged_before), moneyEl(t.final_total), moneyEl(t.refund), moneyEl(t.due)],
      }),
      el(
        "p",
        { class: "hint" },
        s.line_count > s.lines.length ? `The first ${s.lines.length} of ${s.line_count} lines; the totals count them all. ` : "",
        `Amounts in ${deal.currency}.`,
      ),
    );
  }

  return { node: box, update };
}
