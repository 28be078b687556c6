// The one confirmation dialog: a modal <dialog> (Escape closes it) that
// resolves to true when confirmed. Focus starts on the safe choice and goes
// back where it was.

import { el } from "../dom.js";

let counter = 0;

export function confirmDialog({ title, body = [], confirmLabel, cancelLabel = "Go back", danger = false, test, confirmTest }) {
  const opener = document.activeElement;
  const openerKey = opener?.dataset?.test;
  const titleId = `dialog-title-${++counter}`;
  return new Promise((resolve) => {
    let confirmed = false;
    const dialog = el("dialog", { "aria-labelledby": titleId, "data-test": test || null });
    const close = (ok) => {
      confirmed = ok;
      dialog.close();
    };
    dialog.append(
      el("h2", { id: titleId }, title),
      el("div", { class: "dialog-body" }, body),
      el(
        "div",
        { class: "dialog-actions" },
        el("button", { type: "button", class: "secondary", autofocus: true, onclick: () => close(false) }, cancelLabel),
        el(
          "button",
          { type: "button", class: danger ? "danger" : "primary", "data-test": confirmTest || null, onclick: () => close(true) },
          confirmLabel,
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      const back = opener && opener.isConnected ? opener : openerKey && document.querySelector(`[data-test="${CSS.escape(openerKey)}"]`);
      if (back) back.focus();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
