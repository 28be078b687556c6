// Data: backups of the whole database and restoring one. The shell opens the
// system's file dialogs (the page never names a path); the core copies,
// checks and replaces the file.

import * as api from "../api.js";
import { confirmDialog } from "../components/dialog.js";
import { attempt } from "../components/errors.js";
import { toast } from "../components/toast.js";
import { el, fill } from "../dom.js";

/** `bookrun-2026-11-23.bak`, today's date in local time. */
function suggestedName() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `bookrun-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.bak`;
}

function sizeText(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

export function mount(root) {
  const result = el("div", { class: "panel data-result", "data-test": "data-result", "aria-live": "polite", hidden: true });

  async function backUp() {
    const r = await attempt(() => api.backup({ file_name: suggestedName() }));
    if (!r) return;
    result.hidden = false;
    fill(result, el("p", {}, "Backup written: ", el("code", {}, r.path), ` (${sizeText(r.bytes)}).`));
    toast({ title: "Backed up", message: `Everything is in ${r.path}.` });
  }

  async function restore() {
    const sure = await confirmDialog({
      title: "Restore a backup?",
      body: [
        el("p", {}, "You choose the backup file next. Every deal, booking, payment and participant will then be as they were in it."),
        el("p", {}, "The data you have now is kept in a file next to the database, so this can be undone by restoring that file."),
      ],
      confirmLabel: "Choose the backup…",
      danger: true,
      test: "restore-dialog",
      confirmTest: "restore-confirm",
    });
    if (!sure) return;
    const r = await attempt(() => api.restore({}));
    if (!r) return;
    result.hidden = false;
    fill(
      result,
      el("p", {}, "Restored from ", el("code", {}, r.restored_from), "."),
      el("p", {}, "The data replaced is kept in ", el("code", { "data-test": "replaced-kept-at" }, r.replaced_kept_at), "."),
    );
    toast({ title: "Restored", message: `The backup ${r.restored_from} is now in use.` });
  }

  root.append(
    el("header", { class: "page-head" }, el("h1", {}, "Data")),
    el(
      "section",
      { class: "panel" },
      el("h2", {}, "Backups"),
      el(
        "p",
        {},
        "A backup is one file with every deal, booking, payment and participant. It can be taken at any time, even while bookings come in.",
      ),
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", class: "primary", "data-test": "backup", onclick: backUp }, "Back up now…"),
        el("button", { type: "button", class: "secondary", "data-test": "restore", onclick: restore }, "Restore a backup…"),
      ),
      el(
        "p",
        { class: "hint" },
        "A backup is checked before it is restored: a damaged file, or one that is not a Book & Run backup, is refused and nothing changes.",
      ),
    ),
    result,
  );
  return {};
}
