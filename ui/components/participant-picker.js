// The participant field of the booking form: a search-as-you-type combobox
// (ARIA 1.2: an input with role combobox, a listbox popup, the active option
// by aria-activedescendant) over `list_participants {query}`, never the whole
// list, with "Add … as a new participant" as its last option: name (the
// text typed) and an optional e-mail, created in place and selected.

import { addParticipant, listParticipants } from "../api.js";
import { attempt } from "./errors.js";
import { el, field, fill } from "../dom.js";

/** How many matches the popup shows (the search narrows the rest). */
const SHOWN = 8;
/** How many matches are asked for: enough to say "more than 50". */
const ASKED = 51;

const label = (p) => (p.email ? `${p.name} <${p.email}>` : p.name);

/**
 * `onPick(participant)` is called when one is chosen or created (`allowNew`:
 * whether "Add … as a new participant" is offered; `inline`: see below;
 * `keepOnBlur`: see the blur handler). Returns `{node, chosen,
 * newBox, input, value(), set(p), clear(), focus()}`; `value()` is the chosen
 * id or null; `set(p)` shows `p` as chosen without calling `onPick`.
 */
export function participantPicker({ id = "book-participant", test = "participant-search", label: name = null, onPick = () => {}, remember = () => {}, allowNew = true, inline = false, keepOnBlur = false } = {}) {
  const listId = `${id}-list`;
  const input = el("input", {
    type: "text",
    id,
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "Type a name, e-mail or phone",
    "data-field": "participant_id",
    "data-test": test,
    "aria-label": name,
  });
  const list = el("ul", { id: listId, role: "listbox", class: "combo-list", "aria-label": "Matching participants", hidden: true });
  const count = el("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  const chosen = el("p", { class: "hint chosen", "data-test": "participant-chosen" });
  const newBox = el("div", { class: "new-participant", hidden: true, "data-test": "new-participant" });
  // `inline`: the matches push what follows down instead of floating over
  // it (in a table cell, whose scrolling wrapper would clip a popup).
  const node = el("div", { class: inline ? "combo inline" : "combo" }, input, list, count);

  let picked = null;
  // The last participant shown as chosen (for `keepOnBlur`).
  let kept = null;
  let options = [];
  let active = -1;
  let asked = 0;
  let timer = null;

  function setActive(i) {
    active = i;
    [...list.children].forEach((li, k) => li.setAttribute("aria-selected", String(k === i)));
    if (i >= 0 && list.children[i]) {
      input.setAttribute("aria-activedescendant", list.children[i].id);
      list.children[i].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
    // No stale options behind a closed popup.
    options = [];
    fill(list);
  }

  function show(p) {
    picked = p;
    kept = p;
    remember(p);
    input.value = p.name;
    fill(chosen, allowNew ? "Booking for " : "", el("strong", {}, label(p)), p.reputation ? ` · reputation ${p.reputation > 0 ? "+" : ""}${p.reputation}` : "");
  }

  function choose(p) {
    show(p);
    close();
    newBox.hidden = true;
    onPick(p);
  }

  function render(matches, query) {
    options = [
      ...matches.slice(0, SHOWN).map((p) => ({ p })),
      ...(query && allowNew ? [{ add: query }] : []),
    ];
    fill(
      list,
      options.map((o, i) =>
        o.p
          ? el(
              "li",
              { id: `${id}-opt-${i}`, role: "option", "aria-selected": "false", "data-test": `participant-option-${o.p.id}`, onmousedown: (e) => e.preventDefault(), onclick: () => choose(o.p) },
              el("span", { class: "opt-name" }, o.p.name),
              o.p.email ? el("span", { class: "opt-extra" }, ` ${o.p.email}`) : null,
            )
          : el(
              "li",
              { id: `${id}-opt-${i}`, role: "option", "aria-selected": "false", class: "opt-add", "data-test": "participant-option-new", onmousedown: (e) => e.preventDefault(), onclick: () => openNew(o.add) },
              `+ Add “${o.add}” as a new participant`,
            ),
      ),
    );
    const total = matches.length >= ASKED ? `more than ${ASKED - 1}` : String(matches.length);
    const more = matches.length > SHOWN ? ` (the first ${SHOWN} of ${total}: type more to narrow)` : "";
    fill(count, matches.length ? `${matches.length} matching${more}` : allowNew ? "No participant matches; you can add one." : "No participant matches.");
    // Without an "Add …" option, no match is said in the list itself.
    if (!options.length && query) {
      notice(`No participant matches “${query}”`);
      return;
    }
    list.hidden = options.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
    setActive(matches.length ? 0 : options.length ? 0 : -1);
  }

  /** The open list says `text` instead of offering options. */
  function notice(text) {
    options = [];
    fill(list, el("li", { role: "option", "aria-disabled": "true", class: "opt-none", "data-test": "participant-none" }, text));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(-1);
  }

  async function search() {
    const query = input.value.trim();
    const mine = ++asked;
    if (!query) {
      close();
      return;
    }
    let matches = [];
    let failed = null;
    try {
      matches = await listParticipants({ query, limit: ASKED });
    } catch (e) {
      failed = e;
    }
    if (mine !== asked || document.activeElement !== input) return;
    if (failed) {
      // Said in the list, not as "no match": the participant may well exist.
      const said = `The search failed: ${failed?.message ?? failed}`;
      fill(count, said);
      notice(said);
      return;
    }
    render(matches, query);
  }

  // --- a new participant, in place
  const newName = el("input", { type: "text", id: `${id}-new-name`, "data-field": "name", autocomplete: "off" });
  const newEmail = el("input", { type: "email", id: `${id}-new-email`, "data-field": "email", autocomplete: "off" });
  const addButton = el("button", { type: "button", class: "primary small", "data-test": "add-new-participant", onclick: () => create() }, "Add and select");
  fill(
    newBox,
    el("p", { class: "new-title" }, "New participant"),
    el("div", { class: "grid-2" }, field("Name", newName), field("E-mail (optional)", newEmail, "Needed only if the deal admits some e-mail domains.")),
    el("div", { class: "form-actions" }, addButton, el("button", { type: "button", class: "secondary small", onclick: () => ((newBox.hidden = true), input.focus()) }, "Cancel")),
  );
  for (const c of [newName, newEmail]) {
    c.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        create();
      } else if (e.key === "Escape") {
        e.preventDefault();
        newBox.hidden = true;
        input.focus();
      }
    });
  }

  function openNew(name) {
    close();
    newName.value = name;
    newEmail.value = "";
    newBox.hidden = false;
    newEmail.focus();
  }

  async function create() {
    const args = { name: newName.value };
    if (newEmail.value.trim()) args.email = newEmail.value.trim();
    const p = await attempt(() => addParticipant(args), newBox);
    if (!p) return;
    choose(p);
  }

  input.addEventListener("input", () => {
    if (picked && input.value !== picked.name) {
      picked = null;
      fill(chosen);
    }
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener("keydown", (e) => {
    const n = options.length;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (list.hidden) search();
      else setActive(n ? (active + 1) % n : -1);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (!list.hidden) setActive(n ? (active - 1 + n) % n : -1);
    } else if (e.key === "Enter" && !list.hidden && active >= 0) {
      e.preventDefault();
      const o = options[active];
      if (o.p) choose(o.p);
      else openNew(o.add);
    } else if (e.key === "Escape" && !list.hidden) {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () =>
    setTimeout(() => {
      close();
      // `keepOnBlur`: leaving the box without a new choice keeps the last one
      // (text typed over it, or cleared, must not look like a change).
      if (keepOnBlur && !picked && kept && document.activeElement !== input) show(kept);
    }, 120),
  );

  return {
    node,
    chosen,
    newBox,
    input,
    value: () => (picked ? picked.id : null),
    set: show,
    clear() {
      picked = null;
      kept = null;
      input.value = "";
      fill(chosen);
      close();
      newBox.hidden = true;
    },
    focus: () => input.focus(),
  };
}
