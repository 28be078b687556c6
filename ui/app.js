// The shell: hash router, navigation state, and the back end's events.

import { onChanged, onNotification } from "./api.js";
import { clearError, setErrorRegion, showError } from "./components/errors.js";
import { toast } from "./components/toast.js";
import { routePath } from "./dom.js";
import * as dealsView from "./views/deals.js";

// The deals list (the first page) comes with the shell; every other view is
// loaded when it is first shown, and all of them once the first page is up,
// so a start evaluates a third of the modules.
const lazy = (load) => {
  let loading = null;
  return () => (loading ??= load().catch((e) => {
    loading = null;
    throw e;
  }));
};
const views = {
  deals: () => Promise.resolve(dealsView),
  editor: lazy(() => import("./views/deal-editor.js")),
  deal: lazy(() => import("./views/deal.js")),
  participants: lazy(() => import("./views/participants.js")),
  statement: lazy(() => import("./views/statement.js")),
  notifications: lazy(() => import("./views/notifications.js")),
  import: lazy(() => import("./views/import.js")),
  pickup: lazy(() => import("./views/pickup.js")),
  money: lazy(() => import("./views/money.js")),
  data: lazy(() => import("./views/data.js")),
};

// The modules are evaluated: the start-up's `scripts` part (views/deals.js).
window.__bookrunScriptsAt = performance.now();

// path, sidebar section, view, and how to mount it.
const routes = [
  [/^\/deals\/new$/, "deals", views.editor, (v, m) => v.mount(m, null)],
  [/^\/deals\/(\d+)\/edit$/, "deals", views.editor, (v, m, id) => v.mount(m, Number(id))],
  [/^\/deals\/(\d+)\/repeat$/, "deals", views.editor, (v, m, id) => v.mount(m, Number(id), { repeated: true })],
  [/^\/deals\/(\d+)\/import$/, "deals", views.import, (v, m, id) => v.mount(m, Number(id))],
  [/^\/deals\/(\d+)\/pickup$/, "deals", views.pickup, (v, m, id) => v.mount(m, Number(id))],
  [/^\/deals\/(\d+)$/, "deals", views.deal, (v, m, id) => v.mount(m, Number(id))],
  [/^\/deals$/, "deals", views.deals, (v, m) => v.mount(m)],
  [/^\/participants\/(\d+)$/, "participants", views.statement, (v, m, id) => v.mount(m, Number(id))],
  [/^\/participants$/, "participants", views.participants, (v, m) => v.mount(m)],
  [/^\/notifications$/, "notifications", views.notifications, (v, m) => v.mount(m)],
  [/^\/money$/, "money", views.money, (v, m) => v.mount(m)],
  [/^\/data$/, "data", views.data, (v, m) => v.mount(m)],
];

let current = null;

function markNav(section) {
  document.querySelectorAll(".sidebar a[data-section]").forEach((a) => {
    if (a.dataset.section === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

let routed = 0;
async function route() {
  const path = routePath();
  const match = routes.find(([re]) => re.test(path));
  if (!match) {
    location.replace("#/deals");
    return;
  }
  const [re, section, view, mount] = match;
  const turn = ++routed;
  let module;
  try {
    module = await view();
  } catch (e) {
    showError(e);
    return;
  }
  // Another route was asked for while this view loaded: that one wins.
  if (turn !== routed) return;
  const host = document.getElementById("view");
  const root = document.createElement("div");
  root.className = "view";
  host.replaceChildren(root);
  clearError();
  markNav(section);
  current = mount(module, root, ...path.match(re).slice(1)) || null;
  const heading = root.querySelector("h1");
  if (heading && document.activeElement !== document.body && !root.contains(document.activeElement)) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

/** Loads every view in the background, so the first visit to each is instant. */
function loadViews() {
  for (const view of Object.values(views)) view().catch(() => {});
}

let pending = null;
function refreshSoon() {
  clearTimeout(pending);
  pending = setTimeout(() => current && current.refresh && current.refresh(), 120);
}

// A notification only shows a toast: the change behind it is already being
// drawn. Either the window's own command caused it, and the view refreshes
// when the command answers, or it comes with `changed`: from the background
// task (another process's commit, an overdue settlement), or from a command
// that settled an overdue deal before it ran (commands.rs), whatever the
// command itself answered.
// Refreshing for it as well drew the page twice, 120 ms apart, and a click
// landing between the two was lost with the button it pressed.
function listen() {
  try {
    onChanged(refreshSoon).catch((e) => showError(e));
    onNotification(toast).catch((e) => showError(e));
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
route().then(() => setTimeout(loadViews, 300));
