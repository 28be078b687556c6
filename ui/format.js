// How values returned by the commands are shown. Money arrives as decimal
// strings already printed with the currency's minor units: it is shown with
// its digits grouped, by rewriting the string, never turned into a number.

import { el } from "./dom.js";

/** "-24800.00" -> "-24,800.00": thousands grouped in the exact decimal string. */
export function groupDigits(amount) {
  const s = String(amount);
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(s);
  if (!m) return s;
  return `${m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${m[3] ?? ""}`;
}

/** "30,000.00 USD" for prose. */
export function money(amount, currency) {
  return currency ? `${groupDigits(amount)} ${currency}` : groupDigits(amount);
}

/** A right-aligned, tabular amount; negative amounts are marked. */
export function moneyEl(amount, currency) {
  if (amount === null || amount === undefined) return el("span", { class: "muted" }, "—");
  const negative = String(amount).startsWith("-");
  return el(
    "span",
    { class: negative ? "money neg" : "money" },
    groupDigits(amount),
    currency ? el("span", { class: "ccy" }, ` ${currency}`) : null,
  );
}

/** "below the minimum", "the minimum", "tier 2". */
export function levelName(level) {
  if (level < 0) return "below the minimum";
  if (level === 0) return "the minimum";
  return `tier ${level}`;
}

/** A short label for badges: "Below minimum", "Minimum", "Tier 2". */
export function levelLabel(level) {
  if (level < 0) return "Below minimum";
  if (level === 0) return "Minimum";
  return `Tier ${level}`;
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 more units unlock tier 2", from the deal's `next_tier`; how an ended deal ended. */
export function unlockText(deal) {
  if (deal.status === "settled") return `Settled at ${levelName(deal.level)}.`;
  if (deal.status === "failed") return "Failed: the minimum was not reached.";
  if (deal.status === "cancelled") return "Cancelled.";
  const next = deal.next_tier;
  if (!next) return deal.tiers.length ? "Top tier reached" : "Minimum reached: no tiers to unlock";
  const units = plural(next.missing, "more unit");
  if (deal.level < 0) {
    return next.level > 0
      ? `${units} to reach the minimum and unlock tier ${next.level}`
      : `${units} to reach the minimum`;
  }
  return `${units} unlock tier ${next.level}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/** A stored RFC 3339 time in the local time zone. */
export function when(rfc3339) {
  if (!rfc3339) return "—";
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : dateTime.format(d);
}

/** A <time> element for a stored time; date and time may wrap apart in narrow cells. */
export function timeEl(rfc3339) {
  if (!rfc3339) return el("span", { class: "muted" }, "—");
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return el("time", {}, rfc3339);
  return el("time", { datetime: rfc3339, title: when(rfc3339) }, el("span", {}, dateOnly.format(d)), " ", el("span", {}, timeOnly.format(d)));
}

const pad = (n) => String(n).padStart(2, "0");

/** RFC 3339 -> the value of a datetime-local input, in local time. */
export function toLocalInput(rfc3339) {
  if (!rfc3339) return "";
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value -> RFC 3339 with the local offset ("...T16:00:00+02:00"). */
export function fromLocalInput(value) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  const seconds = value.length > 16 ? "" : ":00";
  return `${value}${seconds}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The status badge of a deal or booking. */
export function statusBadge(status, attrs = {}) {
  return el("span", { class: `badge status-${status}`, ...attrs }, status);
}

/** A reputation score: "+2", "0", "-1" (negative marked). */
export function reputationEl(score) {
  if (score === undefined || score === null) return el("span", { class: "muted" }, "—");
  return el("span", { class: score < 0 ? "score neg" : "score" }, score > 0 ? `+${score}` : String(score));
}

/**
 * Groups the digits of the amounts inside a message ("reached tier 1:
 * model #1 29500.00 USD" -> "29,500.00 USD"): amounts with a decimal point
 * and four or more whole digits, rewritten as strings like groupDigits.
 */
export function groupAmountsIn(text) {
  return String(text ?? "").replace(/(^|[^\d.,])(-?\d{4,}\.\d+)(?![\d.])/g, (_, before, amount) => `${before}${groupDigits(amount)}`);
}
