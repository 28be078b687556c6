// The shell: hash router, navigation state, and the back end's events.

import { onChanged, onNotification } from "./api.js";
import { clearError, setErrorRegion, showError } from "./components/errors.js";
import { toast } from "./components/toast.js";
import * as dealsView from "./views/deals.js";
import * as editorView from "./views/deal-editor.js";
import * as dealView from "./views/deal.js";
import * as participantsView from "./views/participants.js";
import * as statementView from "./views/statement.js";
import * as notificationsView from "./views/notifications.js";
import * as importView from "./views/import.js";
import * as pickupView from "./views/pickup.js";
import * as moneyView from "./views/money.js";
import * as dataView from "./views/data.js";

// The modules are evaluated: the start-up's `scripts` part (views/deals.js).
window.__bookrunScriptsAt = performance.now();

const routes = [
  [/^\/deals\/new$/, "deals", (m) => editorView.mount(m, null)],
  [/^\/deals\/(\d+)\/edit$/, "deals", (m, id) => editorView.mount(m, Number(id))],
  [/^\/deals\/(\d+)\/repeat$/, "deals", (m, id) => editorView.mount(m, Number(id), { repeated: true })],
  [/^\/deals\/(\d+)\/import$/, "deals", (m, id) => importView.mount(m, Number(id))],
  [/^\/deals\/(\d+)\/pickup$/, "deals", (m, id) => pickupView.mount(m, Number(id))],
  [/^\/deals\/(\d+)$/, "deals", (m, id) => dealView.mount(m, Number(id))],
  [/^\/deals$/, "deals", (m) => dealsView.mount(m)],
  [/^\/participants\/(\d+)$/, "participants", (m, id) => statementView.mount(m, Number(id))],
  [/^\/participants$/, "participants", (m) => participantsView.mount(m)],
  [/^\/notifications$/, "notifications", (m) => notificationsView.mount(m)],
  [/^\/money$/, "money", (m) => moneyView.mount(m)],
  [/^\/data$/, "data", (m) => dataView.mount(m)],
];

let current = null;

function markNav(section) {
  document.querySelectorAll(".sidebar a[data-section]").forEach((a) => {
    if (a.dataset.section === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

function route() {
  const path = location.hash.replace(/^#/, "") || "/deals";
  const match = routes.find(([re]) => re.test(path));
  if (!match) {
    location.replace("#/deals");
    return;
  }
  const [re, section, mount] = match;
  const host = document.getElementById("view");
  const root = document.createElement("div");
  root.className = "view";
  host.replaceChildren(root);
  clearError();
  markNav(section);
  current = mount(root, ...path.match(re).slice(1)) || null;
  const heading = root.querySelector("h1");
  if (heading && document.activeElement !== document.body && !root.contains(document.activeElement)) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

let pending = null;
function refreshSoon() {
  clearTimeout(pending);
  pending = setTimeout(() => current && current.refresh && current.refresh(), 120);
}

function listen() {
  try {
    onChanged(refreshSoon).catch((e) => showError(e));
    onNotification((event) => {
      toast(event);
      refreshSoon();
    }).catch((e) => showError(e));
  } catch (e) {
    showError(e);
  }
}

setErrorRegion(document.getElementById("error"));
// The skip link focuses the main area without touching the hash route.
document.querySelector(".skip-link")?.addEventListener("click", (e) => {
  e.preventDefault();
  document.getElementById("main").focus();
});
window.addEventListener("hashchange", route);
window.addEventListener("unhandledrejection", (e) => showError(e.reason));
listen();
route();
