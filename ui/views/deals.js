// Deals list: status, approved quantity, level, progress to the next tier.

import { listDeals } from "../api.js";
import { load } from "../components/errors.js";
import { serial } from "../components/serial.js";
import { table } from "../components/table.js";
import { el, fill, options, painted } from "../dom.js";
import { levelLabel, money, statusBadge, timeEl, unlockText } from "../format.js";

const STATUSES = ["draft", "open", "settled", "failed", "cancelled"];

/** Progress from the current level's threshold to the next tier's (geometry only). */
export function progressEl(deal) {
  const ended = !["draft", "open"].includes(deal.status);
  const text = el("span", { class: "progress-text" }, unlockText(deal));
  const next = deal.next_tier;
  if (!next || ended) return el("div", { class: "progress" }, text);
  let from = 0;
  if (deal.level === 0) from = deal.min_qty;
  if (deal.level > 0) from = deal.tiers[deal.level - 1].min_qty;
  const span = Math.max(next.min_qty - from, 1);
  const done = Math.min(Math.max(deal.approved_qty - from, 0), span);
  return el(
    "div",
    { class: "progress" },
    el("progress", { max: span, value: done, "aria-label": `Progress to ${levelLabel(next.level).toLowerCase()}` }),
    text,
  );
}

/**
 * Once per window: how long from the process's start (set by the shell
 * before any script) to the first painted deal list, in
 * `window.bookrunStartupMs` (the start-up figure of bench/desktop), and
 * where that time went, in `window.bookrunStartupParts` (ms): `native`,
 * process start to the page's navigation (the shell, the database, the web
 * process); `scripts`, navigation to the modules evaluated; `data`, to
 * the deals answered; `paint`, to the painted frame.
 */
function markStartup(answeredAt) {
  const start = window.__bookrunProcessStart;
  if (typeof start !== "number" || window.bookrunStartupMs !== undefined) return;
  painted().then(() => {
    if (window.bookrunStartupMs !== undefined) return;
    const paintedAt = performance.now();
    const scripts = window.__bookrunScriptsAt ?? 0;
    window.bookrunStartupParts = {
      native: performance.timeOrigin - start,
      scripts,
      data: answeredAt - scripts,
      paint: paintedAt - answeredAt,
    };
    window.bookrunStartupMs = Date.now() - start;
  });
}

export function mount(root) {
  const refresh = serial(draw);
  const filter = el("select", { id: "deals-status" }, options([["", "All"], ...STATUSES.map((s) => [s, s])], ""));
  const list = el("div", { class: "panel", "aria-busy": "true" });
  root.append(
    el(
      "header",
      { class: "page-head" },
      el("h1", {}, "Deals"),
      el(
        "div",
        { class: "actions" },
        el("label", { for: "deals-status", class: "inline-label" }, "Status"),
        filter,
        el("a", { href: "#/deals/new", class: "button primary", "data-test": "new-deal" }, "New deal"),
      ),
    ),
    list,
  );

  async function draw() {
    const deals = await load(() => listDeals(filter.value ? { status: filter.value } : {}));
    const answeredAt = performance.now();
    list.removeAttribute("aria-busy");
    if (!deals) return;
    fill(
      list,
      table({
        test: "deals",
        caption: "Deals",
        empty: "No deals yet. Create one with “New deal”.",
        rowAttrs: (d) => ({ "data-test": `deal-${d.id}` }),
        rows: deals,
        columns: [
          { label: "Title", className: "wrap", cell: (d) => el("a", { href: `#/deals/${d.id}`, class: "strong" }, d.title) },
          { label: "Status", cell: (d) => statusBadge(d.status) },
          { label: "Approved", num: true, cell: (d) => String(d.approved_qty) },
          { label: "Level", cell: (d) => levelLabel(d.level) },
          {
            label: "Next tier",
            className: "wide wrap",
            cell: (d) => [
              progressEl(d),
              d.buy_more
                ? el("span", { class: "badge buy-more-badge", "data-test": `buy-more-${d.id}`, title: `${d.buy_more.units} more ${d.buy_more.item}: the group pays ${money(d.buy_more.total_after, d.currency)} instead of ${money(d.buy_more.total_now, d.currency)}` }, `Buying more saves ${money(d.buy_more.saving, d.currency)}`)
                : null,
            ],
          },
          { label: "Closes", cell: (d) => timeEl(d.closes_at) },
        ],
      }),
    );
    markStartup(answeredAt);
  }

  filter.addEventListener("change", refresh);
  refresh();
  return { refresh };
}
