// The tier ladder: one item's price as steps over the approved quantity
// (x axis), from the minimum and each tier threshold, with a marker at the
// approved total, and the quantities where that price is below the
// merchant's cost (the core's `check_tiers`) as red bands with the worst
// point labelled. Only geometry is derived here; prices, levels and losses
// are the core's own.

import { el, svg } from "../dom.js";
import { money, unlockText } from "../format.js";

const W = 720;
const H = 230;
const M = { left: 16, right: 24, top: 34, bottom: 38 };

/** The steps of the ladder, one per level that has its own start quantity. */
function steps(deal, item) {
  const list = [{ level: 0, from: deal.min_qty, price: deal.items[item].base_price, label: "Minimum" }];
  deal.tiers.forEach((t, k) => {
    list.push({ level: k + 1, from: Math.max(t.min_qty, deal.min_qty), price: t.prices[item], label: `Tier ${k + 1}` });
  });
  // A tier reached together with the minimum replaces the steps it overlaps.
  return list.filter((s, i) => !list.slice(i + 1).some((later) => later.from === s.from));
}

/**
 * How wide a step's label (11px) and price (12.5px, bold) are drawn, a
 * little more than they take (the chart is built before it is laid out),
 * and how tall the two lines are together.
 */
const wordsWidth = (label, price) => Math.max(label.length * 7, price.length * 8);
const WORDS_HEIGHT = 28;

/**
 * Where a step's words go (`{left, top, right, bottom}`): above its line
 * from `left`, else below it, else past the words they would meet, above
 * then below, within the chart and above the axis (`baseY`); above from
 * `left` when nothing fits (a crowd of steps no label can share).
 */
function placeWords(placed, left, lineY, width, baseY) {
  const box = (x, top) => ({ left: x, top, right: x + width, bottom: top + WORDS_HEIGHT });
  const above = (x) => box(x, lineY - WORDS_HEIGHT);
  const below = (x) => box(x, lineY + 4);
  const meets = (b) => placed.find((p) => b.left < p.right + 6 && p.left < b.right + 6 && b.top < p.bottom && p.top < b.bottom);
  const fits = (b) => b.right <= W - 4 && b.top >= 0 && b.bottom <= baseY - 2 && !meets(b);
  const past = placed.map((p) => p.right + 8).filter((x) => x > left).sort((a, b) => a - b);
  const tries = [above(left), below(left), ...past.flatMap((x) => [above(x), below(x)])];
  return tries.find(fits) ?? above(left);
}

/** Widths (px of the chart) the words "below minimum" need: across the band, and up along it. */
const NOTE_ACROSS = 100;
const NOTE_ALONG = 16;

/**
 * The words of the band below the minimum (`width` wide from `left`): across
 * it where they fit; up along it in a narrow band (across, they went over
 * the Minimum step's label and price); in the band's title alone when even
 * that is too narrow.
 */
function belowNote(width, left, baseY) {
  if (width >= NOTE_ACROSS) return svg("text", { x: left + 6, y: M.top + 8, class: "ladder-note" }, "below minimum");
  if (width < NOTE_ALONG) return null;
  return svg("text", { x: 0, y: 0, transform: `translate(${left + width / 2 + 4} ${baseY - 6}) rotate(-90)`, class: "ladder-note" }, "below minimum");
}

/** `ladder(deal, {item, losses})`: `losses` are `check_tiers`' ranges for that item. */
export function ladder(deal, { item = 0, losses = [] } = {}) {
  const st = steps(deal, item);
  const last = st[st.length - 1].from;
  // Loss ranges near the ladder widen the chart to show them whole.
  const lossEnd = Math.max(0, ...losses.map((l) => l.to).filter((to) => to <= Math.max(last, deal.min_qty) * 4));
  const xMax = Math.max(Math.ceil(Math.max(last, deal.approved_qty, deal.min_qty, lossEnd) * 1.2), last + 2);
  const x = (q) => M.left + (q / xMax) * (W - M.left - M.right);
  // Geometry only: the price strings are parsed to place the steps vertically.
  const values = st.map((s) => Number.parseFloat(s.price));
  const hi = Math.max(...values);
  const lo = Math.min(...values);
  const y = (v) => (hi === lo ? (M.top + H - M.bottom) / 2 : M.top + 14 + ((hi - v) / (hi - lo)) * (H - M.top - M.bottom - 28));
  const baseY = H - M.bottom;
  const textId = `unlock-${deal.id}`;

  const band = x(deal.min_qty) - x(0);
  const parts = [
    svg("title", {}, `Tier ladder: price of ${deal.items[item].name} by approved quantity`),
    svg(
      "rect",
      { x: x(0), y: M.top - 6, width: band, height: baseY - M.top + 6, class: "ladder-below", "data-test": "below-minimum" },
      svg("title", {}, `Below the minimum of ${deal.min_qty} units the deal does not happen`),
    ),
    belowNote(band, x(0), baseY),
    svg("line", { x1: x(0), y1: baseY, x2: x(xMax), y2: baseY, class: "ladder-axis" }),
  ];
  for (const l of losses) {
    if (l.from > xMax) continue;
    const x1 = x(l.from - 0.5);
    const x2 = x(Math.min(l.to + 0.5, xMax));
    const wx = x(Math.min(l.worst.quantity, xMax));
    parts.push(
      svg("rect", { x: x1, y: M.top - 6, width: Math.max(x2 - x1, 2), height: baseY - M.top + 6, class: "ladder-loss", "data-test": "loss-band" }, svg("title", {}, `Below the merchant's cost from ${l.from} to ${l.to} units`)),
      svg("line", { x1: wx, y1: M.top, x2: wx, y2: baseY, class: "ladder-loss-worst" }),
      svg("text", { x: wx, y: M.top + 8, class: "ladder-loss-label", "text-anchor": wx > W - 120 ? "end" : "middle", "data-test": "loss-worst" }, `worst ${l.worst.quantity}: ${money(l.worst.margin)}`),
    );
  }
  const ticks = new Set([0, ...st.map((s) => s.from), ...losses.flatMap((l) => [l.from, l.to]).filter((q) => q < xMax), xMax]);
  for (const q of ticks) {
    parts.push(
      svg("line", { x1: x(q), y1: baseY, x2: x(q), y2: baseY + 5, class: "ladder-axis" }),
      svg("text", { x: x(q), y: baseY + 18, class: "ladder-tick", "text-anchor": "middle" }, String(q)),
    );
  }
  parts.push(svg("text", { x: x(xMax), y: baseY + 32, class: "ladder-tick", "text-anchor": "end" }, "approved units →"));

  // Each step's words go where they meet no words placed before (steps
  // close in quantity and in price drew theirs over each other).
  const placed = [];
  st.forEach((s, i) => {
    const x1 = x(s.from);
    const x2 = i + 1 < st.length ? x(st[i + 1].from) : x(xMax);
    const yy = y(values[i]);
    const reached = deal.level >= s.level;
    const cls = reached ? "ladder-step reached" : "ladder-step";
    const price = money(s.price, deal.currency);
    const at = placeWords(placed, x1 + 6, yy, wordsWidth(s.label, price), baseY);
    placed.push(at);
    if (i > 0) parts.push(svg("line", { x1, y1: y(values[i - 1]), x2: x1, y2: yy, class: `${cls} riser` }));
    parts.push(
      svg("line", { x1, y1: yy, x2, y2: yy, class: cls }),
      svg("circle", { cx: x1, cy: yy, r: 4, class: reached ? "ladder-dot reached" : "ladder-dot" }),
      svg("text", { x: at.left, y: at.top + 10, class: "ladder-label" }, s.label),
      svg("text", { x: at.left, y: at.top + 23, class: "ladder-price" }, price),
    );
  });

  const mx = x(Math.min(deal.approved_qty, xMax));
  parts.push(
    svg("line", { x1: mx, y1: M.top - 18, x2: mx, y2: baseY, class: "ladder-marker", "data-test": "approved-marker" }),
    svg("text", { x: mx, y: M.top - 22, class: "ladder-marker-text", "text-anchor": mx > W - 120 ? "end" : mx < 60 ? "start" : "middle" }, `${deal.approved_qty} approved`),
  );

  const svgNode = svg(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, class: "ladder", role: "img", "data-test": "ladder", "aria-describedby": textId },
    parts,
  );
  const text = unlockText(deal);
  return el(
    "div",
    { class: "ladder-box" },
    svgNode,
    el("p", { id: textId, class: "unlock-text", "data-test": "unlock-text" }, text),
  );
}
