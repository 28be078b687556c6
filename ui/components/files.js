// Files and the clipboard: export buttons (the shell opens the system's
// save dialog and the core writes the file: the page never names a path),
// reading a chosen CSV file as text, and copying a text.

import { el, pressed } from "../dom.js";
import { attempt } from "./errors.js";
import { toast } from "./toast.js";

/**
 * "CSV" and "PDF" buttons that export through `command(args + {format,
 * file_name})`: the shell asks where to save (answering null when the
 * organizer cancels). `name` is the suggested file name (no extension);
 * `showLabel` false leaves the label to the buttons' group (in table rows).
 */
export function exportButtons(label, command, args, name, test, showLabel = true) {
  const run = async (format) => {
    const r = await attempt(() => command({ ...args, format, file_name: `${name}.${format}` }));
    if (r) toast({ title: "Exported", message: `${label}: ${r.rows} ${r.rows === 1 ? "row" : "rows"} written to ${r.path}` });
  };
  return el(
    "div",
    { class: "export-buttons", role: "group", "aria-label": `Export ${label}` },
    showLabel ? el("span", { class: "inline-label" }, label) : null,
    el("button", { type: "button", class: "secondary small", "data-test": `${test}-csv`, onclick: (e) => pressed(e.currentTarget, () => run("csv")) }, "CSV"),
    el("button", { type: "button", class: "secondary small", "data-test": `${test}-pdf`, onclick: (e) => pressed(e.currentTarget, () => run("pdf")) }, "PDF"),
  );
}

/** A file input that puts the chosen file's text into `textarea`. */
export function csvFileInput(id, textarea) {
  return el("input", {
    type: "file",
    id,
    accept: ".csv,text/csv,text/plain",
    onchange: async (e) => {
      const file = e.target.files && e.target.files[0];
      if (!file) return;
      textarea.value = await file.text();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });
}

/** Copies `text`; tells the organizer it did (or how to copy by hand). */
export async function copyText(text, what) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = el("textarea", { class: "sr-only", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand && document.execCommand("copy");
    area.remove();
    if (!ok) {
      toast({ title: "Copy by hand", message: text });
      return;
    }
  }
  toast({ title: "Copied", message: `${what} is on the clipboard.` });
}
