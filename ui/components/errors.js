// The one place errors are shown: the alert region at the top of the main
// area (data-test="error"), plus the message next to the form field the
// error's `field` names ("items[1].base_price", "tiers[0].prices[1]", ...).
// Form controls carry `data-field` with the argument path they fill.

import { el, fill } from "../dom.js";

let region = null;

export function setErrorRegion(node) {
  region = node;
  region.hidden = true;
}

/** The control or group that shows errors for `field`, trying its parents. */
function fieldTarget(form, field) {
  let path = field;
  while (path) {
    const found = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    if (found) return found;
    const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
    path = cut > 0 ? path.slice(0, cut) : "";
  }
  return null;
}

/** "items[1].base_price" -> "Item 2, base price", for people. */
function fieldLabel(path) {
  const text = path
    .replace(/prices\[(\d+)\]/g, (_, i) => `price of item ${Number(i) + 1}`)
    .replace(/(\w+?)s?\[(\d+)\]/g, (_, name, i) => `${name.replace(/s$/, "")} ${Number(i) + 1}`)
    .replaceAll(".", ", ")
    .replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The message without its "field: " prefix. */
function bare(err) {
  const prefix = `${err.field}: `;
  return err.field && err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

/**
 * Shows the message in `target`: a field row or table cell (its control is
 * marked invalid and described by the message) or a group (fieldset, row).
 */
function markField(target, err) {
  const control = target.matches(".field, .cell") ? target.querySelector("input, select, textarea") : null;
  const id = `${control ? control.id : target.getAttribute("data-field").replace(/\W+/g, "-")}-error`;
  const host = target.matches("tr") ? target.lastElementChild : target;
  const text = bare(err);
  host.appendChild(el("p", { class: "field-error", id }, text.charAt(0).toUpperCase() + text.slice(1)));
  if (!control) {
    target.classList.add("invalid");
    return null;
  }
  control.setAttribute("aria-invalid", "true");
  const described = control.getAttribute("aria-describedby");
  control.setAttribute("aria-describedby", described ? `${described} ${id}` : id);
  return control;
}

/** Removes the field marks of a previous error in `form`. */
export function clearFieldErrors(form) {
  form.querySelectorAll(".field-error").forEach((n) => n.remove());
  form.querySelectorAll(".invalid").forEach((n) => n.classList.remove("invalid"));
  form.querySelectorAll("[aria-invalid]").forEach((n) => {
    n.removeAttribute("aria-invalid");
    const kept = (n.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter((id) => id && !id.endsWith("-error"))
      .join(" ");
    if (kept) n.setAttribute("aria-describedby", kept);
    else n.removeAttribute("aria-describedby");
  });
}

export function clearError() {
  if (!region) return;
  region.hidden = true;
  region.removeAttribute("data-code");
  fill(region);
}

/** Shows `err` ({code, message, field?} or any thrown value). */
export function showError(err, form) {
  const e = err && typeof err === "object" && "message" in err ? err : { code: "error", message: String(err) };
  let focusTarget = null;
  if (form && e.field) {
    const target = fieldTarget(form, e.field);
    if (target) focusTarget = markField(target, e) || target.querySelector("input, select, textarea");
  }
  if (!region) return;
  fill(
    region,
    el("p", { class: "error-message", "data-test": "error-message" }, e.field ? `${fieldLabel(e.field)}: ${bare(e)}` : e.message),
    el(
      "div",
      { class: "error-actions" },
      focusTarget
        ? el("button", { type: "button", class: "link", onclick: () => focusTarget.focus() }, "Go to the field")
        : null,
      el("button", { type: "button", class: "link", onclick: clearError }, "Dismiss"),
    ),
  );
  region.setAttribute("data-code", e.code || "error");
  region.hidden = false;
  region.scrollIntoView({ block: "nearest" });
}

/**
 * Runs a command for a user action: clears the previous error, shows a new
 * one (next to its field when `form` has it). Resolves to the result, or
 * null when the command failed.
 */
export async function attempt(fn, form) {
  clearError();
  if (form) clearFieldErrors(form);
  try {
    return await fn();
  } catch (err) {
    showError(err, form);
    return null;
  }
}

/** Loads data for a view: shows a failure without clearing an earlier error. */
export async function load(fn) {
  try {
    return await fn();
  } catch (err) {
    showError(err);
    return null;
  }
}
