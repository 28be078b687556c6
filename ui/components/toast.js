// Small toasts for delivered notifications, in a polite live region.

import { el } from "../dom.js";

/** The title the core gives an event (its kind if it has none). */
export const kindTitle = (event) => event.title || event.kind;

export function toast(event) {
  const host = document.getElementById("toasts");
  if (!host || !event) return;
  const node = el(
    "div",
    { class: `toast kind-${event.kind}`, "data-test": "toast" },
    el("div", { class: "toast-text" }, el("strong", {}, kindTitle(event)), el("p", {}, event.message || "")),
    el("button", { type: "button", class: "link", "aria-label": "Dismiss notification", onclick: () => node.remove() }, "×"),
  );
  host.append(node);
  while (host.children.length > 3) host.firstElementChild.remove();
  setTimeout(() => node.remove(), 8000);
}
