// Notification history: what the back end recorded, newest first.

import { notifications } from "../api.js";
import { load } from "../components/errors.js";
import { kindTitle } from "../components/toast.js";
import { serial } from "../components/serial.js";
import { el, fill } from "../dom.js";
import { timeEl } from "../format.js";

export function mount(root) {
  const refresh = serial(draw);
  const list = el("div", { class: "panel" });
  root.append(el("header", { class: "page-head" }, el("h1", {}, "Notifications")), list);

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
                el("p", { class: "message" }, n.message),
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
