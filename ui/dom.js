// Tiny DOM helpers. Text always goes in as text nodes and attributes through
// setAttribute: nothing here parses HTML, so hostile names stay plain text.

const SVG_NS = "http://www.w3.org/2000/svg";

function applyAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

function appendChildren(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** `el("td", {class: "num"}, "12.00")`: an element with attributes and children. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  applyAttrs(node, attrs);
  appendChildren(node, children);
  return node;
}

/** The same for SVG elements. */
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyAttrs(node, attrs);
  appendChildren(node, children);
  return node;
}

/**
 * Replaces the children of `node`. When focus was on an element inside with
 * an id or data-test, its new counterpart gets the focus back, so a refresh
 * of a data panel does not throw the keyboard user out.
 */
export function fill(node, ...children) {
  const active = document.activeElement;
  const key =
    active && active !== node && node.contains(active)
      ? active.id
        ? `#${CSS.escape(active.id)}`
        : active.dataset.test
          ? `[data-test="${CSS.escape(active.dataset.test)}"]`
          : null
      : null;
  node.replaceChildren();
  appendChildren(node, children);
  if (key) node.querySelector(key)?.focus();
  return node;
}

/**
 * A labelled form row: label, control, optional hint. The control's
 * `data-field` (the argument it fills) moves to the row, which is where the
 * field's error message goes.
 */
export function field(label, control, hint) {
  const name = control.getAttribute("data-field");
  control.removeAttribute("data-field");
  if (hint) control.setAttribute("aria-describedby", `${control.id}-hint`);
  return el(
    "div",
    { class: "field", "data-field": name },
    el("label", { for: control.id }, label),
    control,
    hint ? el("p", { class: "hint", id: `${control.id}-hint` }, hint) : null,
  );
}

/** Options for a <select>: `[[value, label], ...]`, `selected` preselected. */
export function options(pairs, selected) {
  return pairs.map(([value, label]) =>
    el("option", { value, selected: String(value) === String(selected) }, label),
  );
}

/** Keeps a <select>'s choice while its options are replaced (unless it is in use). */
export function refreshSelect(select, pairs) {
  if (document.activeElement === select) return;
  const current = select.value;
  fill(select, options(pairs, current));
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

/**
 * Marks an input `is-empty` while it has no value, so CSS can hide the grey
 * sample date an empty datetime-local shows (it must not look filled).
 */
export function markEmpty(input) {
  const sync = () => input.classList.toggle("is-empty", input.value === "");
  input.addEventListener("input", sync);
  input.addEventListener("change", sync);
  sync();
  return input;
}

/** The route the window shows: the hash without its `#`, the deals list by default. */
export function routePath() {
  return location.hash.replace(/^#/, "") || "/deals";
}

/** Resolves once the page's current state has been painted (the frame after the next). */
export function painted() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/**
 * Submits `form` through `fn`, one submission at a time: its submit button
 * is pressed (`pressed`) until `fn` answers, so a double click or Enter
 * twice records once.
 */
export function onSubmit(form, fn) {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) pressed(button, fn);
    else fn();
  });
}

/**
 * Runs the action `fn` of `button` with the button disabled (and busy)
 * until it settles, so a second press, or a double click, cannot repeat it.
 */
export async function pressed(button, fn) {
  if (button.disabled) return undefined;
  // Disabling the focused button sends the focus to the page: it comes
  // back to the button, or to its replacement if the page redrew it.
  const focused = document.activeElement === button;
  const test = button.dataset.test;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    const lost = document.activeElement === document.body || document.activeElement === null;
    if (focused && lost) {
      const again = button.isConnected ? button : test ? document.querySelector(`[data-test="${CSS.escape(test)}"]`) : null;
      again?.focus({ preventScroll: true });
    }
  }
}
