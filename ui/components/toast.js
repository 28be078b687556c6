// Small toasts for delivered notifications and short confirmations, in a
// polite live region at the foot of the sidebar, where they cover no data.
// They fade after a few seconds; the core's events stay in the notification
// history, and this session's other messages (copied, exported, ...) are
// kept for the history page too.

import { el } from "../dom.js";
import { groupAmountsIn } from "../format.js";

/** How long a toast stays, in milliseconds (hovering or focusing it keeps it). */
export const TOAST_MS = 4500;

/** The title the core gives an event (its kind if it has none). */
export const kindTitle = (event) => event.title || event.kind;

/** This session's toasts that are not events of the core (newest last). */
const session = [];
const listeners = new Set();

/** The messages of this session that the core does not keep (newest first). */
export const sessionMessages = () => [...session].reverse();

/** Calls `cb` when a session message is added; returns the unsubscribe function. */
export function onSessionMessage(cb) {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

export function toast(event) {
  const host = document.getElementById("toasts");
  if (!event) return;
  if (!event.id) {
    session.push({ ...event, created_at: new Date().toISOString() });
    if (session.length > 50) session.shift();
    listeners.forEach((cb) => cb());
  }
  if (!host) return;
  const node = el(
    "div",
    { class: `toast kind-${event.kind || "message"}`, "data-test": "toast" },
    el("div", { class: "toast-text" }, el("strong", {}, kindTitle(event) || "Done"), el("p", {}, groupAmountsIn(event.message))),
    el("button", { type: "button", class: "link", "aria-label": "Dismiss notification", onclick: () => node.remove() }, "×"),
  );
  host.append(node);
  while (host.children.length > 3) host.firstElementChild.remove();
  let timer = null;
  const start = (ms) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      node.classList.add("leaving");
      setTimeout(() => node.remove(), 300);
    }, ms);
  };
  node.addEventListener("mouseenter", () => clearTimeout(timer));
  node.addEventListener("mouseleave", () => start(1500));
  node.addEventListener("focusin", () => clearTimeout(timer));
  node.addEventListener("focusout", () => start(1500));
  start(TOAST_MS);
}
