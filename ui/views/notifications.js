// Notification history: what the back end recorded, newest first.

import { notifications } from "../api.js";
import { load } from "../components/errors.js";
import { kindTitle, onSessionMessage, sessionMessages } from "../components/toast.js";
import { serial } from "../components/serial.js";
import { el, fill } from "../dom.js";
import { groupAmountsIn, timeEl } from "../format.js";

export function mount(root) {
  const refresh = serial(draw);
  const list = el("div", { class: "panel" });
  // Messages of this session the core does not keep (copied, exported, ...).
  const local = el("section", { class: "panel", "aria-labelledby": "session-h", "data-test": "session-messages" });
  root.append(el("header", { class: "page-head" }, el("h1", {}, "Notifications")), list, local);
  const drawLocal = () => {
    if (!root.isConnected && stop) return stop();
    const items = sessionMessages();
    local.hidden = items.length === 0;
    fill(
      local,
      el("h2", { id: "session-h" }, "Messages this session"),
      el("p", { class: "hint" }, "Short messages shown since the window opened; they are not kept after it closes."),
      el(
        "ol",
        { class: "notifications" },
        items.map((n) => el("li", {}, el("div", { class: "note-head" }, el("span", { class: "badge event-kind" }, kindTitle(n) || "Message"), timeEl(n.created_at)), el("p", { class: "message" }, n.message || ""))),
      ),
    );
  };
  const stop = onSessionMessage(drawLocal);
  drawLocal();

  async function draw() {
    const events = await load(() => notifications({ limit: 200 }));
    if (!events) return;
    fill(
      list,
      events.length
        ? el(
            "ol",
            { class: "notifications", "data-test": "notifications" },
            events.map((n) =>
              el(
                "li",
                { "data-test": `notification-${n.id}`, class: `kind-${n.kind}` },
                el("div", { class: "note-head" }, el("span", { class: "badge event-kind" }, kindTitle(n)), timeEl(n.created_at)),
                el("p", { class: "message" }, groupAmountsIn(n.message)),
                n.deal_id ? el("a", { href: `#/deals/${n.deal_id}` }, "Open deal") : null,
              ),
            ),
          )
        : el("p", { class: "empty" }, "No notifications yet: they appear when a deal reaches or loses a level, or ends."),
    );
  }

  refresh();
  return { refresh };
}
