// Small toasts for delivered notifications, in a polite live region.

import { el } from "../dom.js";

const TITLES = {
  minimum_reached: "Minimum reached",
  tier_reached: "Tier reached",
  tier_stepped_down: "Tier lost",
  minimum_lost: "Below the minimum",
  deal_settled: "Deal settled",
  deal_failed: "Deal failed",
  deal_cancelled: "Deal cancelled",
};

export const kindTitle = (kind) => TITLES[kind] || kind;

export function toast(event) {
  const host = document.getElementById("toasts");
  if (!host || !event) return;
  const node = el(
    "div",
    { class: `toast kind-${event.kind}`, "data-test": "toast" },
    el("div", { class: "toast-text" }, el("strong", {}, kindTitle(event.kind)), el("p", {}, event.message || "")),
    el("button", { type: "button", class: "link", "aria-label": "Dismiss notification", onclick: () => node.remove() }, "×"),
  );
  host.append(node);
  while (host.children.length > 3) host.firstElementChild.remove();
  setTimeout(() => node.remove(), 8000);
}
