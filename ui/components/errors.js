// The one place errors are shown: the alert region at the top of the main
// area (data-test="error"), plus, for a form, the message next to every
// field the refusal names (`errors: [{field, message}]`, or the single
// `field`: "items[1].base_price", "tiers[0].prices[1]", ...), or inside the
// form next to its buttons when it names none. Form controls carry
// `data-field` with the argument path they fill.

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

/** Names the core gives fields, as the organizer reads them where no form label is at hand. */
const NAMES = {
  min_qty: "Minimum quantity",
  closes_at: "Closes at",
  opens_at: "Opens at",
  max_per_participant: "Max per participant",
  allowed_domains: "Allowed e-mail domains",
  pickup_points: "Pickup points",
  pickup_point: "Pickup point",
  commission_percent: "Commission percent",
  participant_id: "Participant",
  base_price: "base price",
  email: "E-mail",
  "payment.percent": "Deposit percent",
  "payment.mode": "Payment at approval",
};

/** "items[1].base_price" -> "Item 2, base price", for people. */
function fieldLabel(path) {
  if (NAMES[path]) return NAMES[path];
  const text = path
    .replace(/prices\[(\d+)\]/g, (_, i) => `price of item ${Number(i) + 1}`)
    .replace(/(\w+?)s?\[(\d+)\]/g, (_, name, i) => `${name.replace(/s$/, "")} ${Number(i) + 1}`)
    .split(".")
    .map((part) => NAMES[part] ?? part.replaceAll("_", " "))
    .join(", ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The label the organizer sees on the form for `target` (a field row), else null. */
function visibleLabel(target) {
  if (!target || !target.matches(".field")) return null;
  const label = target.querySelector(":scope > label, :scope > .label-line > label");
  const text = label ? label.textContent.trim() : "";
  return text || null;
}

/** The message without its "field: " prefix. */
function bare(err) {
  const prefix = `${err.field}: `;
  return err.field && err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Shows the message in `target`: a field row or table cell (its control is
 * marked invalid and described by the message) or a group (fieldset, row).
 */
function markField(target, err) {
  const control = target.matches(".field, .cell") ? target.querySelector("input, select, textarea") : null;
  const base = control ? control.id : target.getAttribute("data-field").replace(/\W+/g, "-");
  let id = `${base}-error`;
  for (let n = 2; document.getElementById(id); n++) id = `${base}-error-${n}`;
  const host = target.matches("tr") ? target.lastElementChild : target;
  host.appendChild(el("p", { class: "field-error", id }, capital(bare(err))));
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
  form.querySelectorAll(".field-error, .form-error").forEach((n) => n.remove());
  form.querySelectorAll(".invalid").forEach((n) => n.classList.remove("invalid"));
  form.querySelectorAll("[aria-invalid]").forEach((n) => {
    n.removeAttribute("aria-invalid");
    const kept = (n.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter((id) => id && !/-error(-\d+)?$/.test(id))
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

/**
 * Every `{field, message}` of a refusal: the core's `errors` list when it
 * sends one, else its single `field`/`message`.
 */
export function errorsOf(e) {
  if (Array.isArray(e.errors) && e.errors.length) {
    return e.errors.filter((x) => x && typeof x === "object" && typeof x.message === "string");
  }
  return [{ field: e.field, message: e.message }];
}

/** The top of the visible part of the page, below anything sticky. */
const ROOM = 72;

/**
 * Brings `node` (a field row with its message) fully into view without
 * jumping when it already is: only the distance needed, with some room.
 */
export function revealWithRoom(node) {
  const r = node.getBoundingClientRect();
  const view = window.innerHeight || document.documentElement.clientHeight;
  if (r.top >= ROOM && r.bottom <= view - ROOM) return;
  const delta = r.height > view - 2 * ROOM || r.top < ROOM ? r.top - ROOM : r.bottom - (view - ROOM);
  window.scrollBy({ top: delta, behavior: "instant" });
}

/** Scrolls so that `node` is back at `top` in the viewport (after content above it moved). */
function keepPlace(node, top) {
  if (top === null || !node.isConnected) return;
  const moved = node.getBoundingClientRect().top - top;
  if (moved) window.scrollBy({ top: moved, behavior: "instant" });
}

/** A refusal that names no field of `form`: shown inside it, next to its buttons. */
function formLevel(form, e) {
  const note = el("p", { class: "form-error", role: "alert", "data-test": "form-error" }, e.message);
  const actions = form.querySelector(".form-actions");
  if (actions) actions.before(note);
  else form.append(note);
  return note;
}

/** Shows `err` ({code, message, field?, errors?} or any thrown value). */
export function showError(err, form) {
  const e = err && typeof err === "object" && "message" in err ? err : { code: "error", message: String(err) };
  const anchor = form && form.isConnected ? form.getBoundingClientRect().top : null;
  const list = errorsOf(e);
  const shown = [];
  let first = null;
  if (form) {
    for (const item of list) {
      const target = item.field ? fieldTarget(form, item.field) : null;
      if (!target) continue;
      const control = markField(target, item) || target.querySelector("input, select, textarea");
      shown.push({ ...item, label: visibleLabel(target) ?? fieldLabel(item.field), target, control });
      if (!first) first = shown[shown.length - 1];
    }
    if (!shown.length) {
      const note = formLevel(form, e);
      first = { target: note, control: null };
    }
  }
  const lines = list.map((item) => {
    const seen = shown.find((s) => s.field === item.field && s.message === item.message);
    const label = seen ? seen.label : item.field ? fieldLabel(item.field) : null;
    return label ? `${label}: ${bare(item)}` : item.message;
  });
  const goTo = () => {
    if (!first) return;
    revealWithRoom(first.target);
    if (first.control) first.control.focus({ preventScroll: true });
  };
  if (region) {
    fill(
      region,
      el("p", { class: "error-message", "data-test": "error-message" }, lines.length > 1 ? `${lines.length} things to fix: ${lines[0]}` : lines[0]),
      lines.length > 1 ? el("ul", { class: "error-list", "data-test": "error-list" }, lines.map((l) => el("li", {}, l))) : null,
      el(
        "div",
        { class: "error-actions" },
        first && first.control ? el("button", { type: "button", class: "link", onclick: goTo }, lines.length > 1 ? "Go to the first field" : "Go to the field") : null,
        el("button", { type: "button", class: "link", onclick: clearError }, "Dismiss"),
      ),
    );
    region.setAttribute("data-code", e.code || "error");
    region.hidden = false;
  }
  if (form) {
    // The page stays where the organizer was; the first invalid field (with
    // its message) is brought into view only as far as needed, and focused.
    keepPlace(form, anchor);
    if (first) {
      revealWithRoom(first.target);
      if (first.control) first.control.focus({ preventScroll: true });
    }
  } else if (region) {
    region.scrollIntoView({ block: "nearest" });
  }
}

/**
 * Runs a command for a user action: clears the previous error, shows a new
 * one (next to its field when `form` has it). Resolves to the result, or
 * null when the command failed.
 */
export async function attempt(fn, form) {
  const anchor = form && form.isConnected ? form.getBoundingClientRect().top : null;
  clearError();
  if (form) {
    clearFieldErrors(form);
    keepPlace(form, anchor);
  }
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
