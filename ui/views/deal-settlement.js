// The settlement panel: what ending the deal now would write (open deals),
// or the settlement that was made (ended deals). Shown as returned, in words
// the data supports: a line that charges nothing more shows "—", not
// "Due 0.00" (the participant may still owe what approval charged: that is
// a wallet's business, on the Money page), and a line's `owes` / `owed`
// are shown when the core sends them.

import { previewSettlement } from "../api.js";
import { load as loadData } from "../components/errors.js";
import { table } from "../components/table.js";
import { el, fill } from "../dom.js";
import { levelName, money, moneyEl } from "../format.js";

const LINES = 50;

const zero = (amount) => amount === null || amount === undefined || /^-?0(\.0+)?$/.test(String(amount));

/** An amount, or a quiet dash when it is zero (nothing happens there). */
const amountOrDash = (amount) => (zero(amount) ? el("span", { class: "muted" }, "—") : moneyEl(amount));

/** What the line leaves the participant with, when the core says it. */
function standing(l, currency) {
  if (l.owes !== undefined && !zero(l.owes)) return el("span", { class: "owes" }, "owes ", moneyEl(l.owes, currency));
  if (l.owed !== undefined && !zero(l.owed)) return el("span", { class: "owed" }, "is owed ", moneyEl(l.owed, currency));
  if (l.owes !== undefined || l.owed !== undefined) return el("span", { class: "muted" }, "settled up");
  return null;
}

export function settlementPanel(dealId) {
  const box = el("section", { class: "panel", "aria-labelledby": "settle-h", "data-test": "settlement" });

  /** The first lines (a large deal has one per booking; the totals cover all), with their names known. */
  async function load(people) {
    const s = await loadData(() => previewSettlement({ deal_id: dealId, limit: LINES }));
    if (!s) return null;
    await people.ensure(s.lines);
    return s;
  }

  async function update(deal, people, prefetched) {
    if (deal.status === "draft") {
      box.hidden = true;
      return;
    }
    const s = prefetched ?? (await loadData(() => previewSettlement({ deal_id: dealId, limit: LINES })));
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
      .map((p, i) => (p === null ? null : `${deal.items[i]?.name ?? `item ${i + 1}`} ${money(p, deal.currency)}`))
      .filter(Boolean);
    const t = s.totals || {};
    const withStanding = s.lines.some((l) => l.owes !== undefined || l.owed !== undefined);
    const deposit = deal.payment.mode === "deposit";
    const columns = [
      { label: "#", num: true, cell: (l) => String(l.booking_id) },
      { label: "Participant", cell: (l) => l.participant_name ?? people.get(l.participant_id)?.name ?? `Participant ${l.participant_id}` },
      { label: "Item", cell: (l) => l.item },
      { label: "Qty", num: true, cell: (l) => String(l.quantity) },
      // (the final unit prices are in the line above the table)
      { label: deposit ? "Deposit" : "At approval", num: true, cell: (l) => moneyEl(l.charged_before) },
      { label: "Final total", num: true, cell: (l) => moneyEl(l.final_total) },
      { label: s.outcome === "settled" ? "Price reduction" : "Refund", num: true, cell: (l) => amountOrDash(l.refund) },
      { label: deposit ? "Remainder" : "At the end", num: true, cell: (l) => amountOrDash(l.due) },
      ...(withStanding ? [{ label: "Stands at", num: true, cell: (l) => standing(l, null) }] : []),
    ];
    const foot = ["Totals", "", "", "", moneyEl(t.charged_before), moneyEl(t.final_total), amountOrDash(t.refund), amountOrDash(t.due)];
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
        rowAttrs: (l) => ({ "data-test": `settlement-line-${l.booking_id}` }),
        columns,
        foot: withStanding ? [...foot, ""] : foot,
      }),
      el(
        "p",
        { class: "hint" },
        s.line_count > s.lines.length ? `The first ${s.lines.length} of ${s.line_count} lines; the totals count them all. ` : "",
        `Amounts in ${deal.currency}. `,
        s.outcome === "settled"
          ? deposit
            ? "The remainder is charged to each wallet at the end; "
            : "A price reduction goes back to the wallet, whether or not the participant has paid yet. "
          : "",
        withStanding ? "“Stands at”: what each participant owes or is owed once this is written, every deal and payment counted." : "What each participant still owes or is owed, after their payments, is on the ",
        withStanding ? "" : el("a", { href: "#/money" }, "Money page"),
        withStanding ? "" : ".",
      ),
    );
  }

  return { node: box, update, load };
}
