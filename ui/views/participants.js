// Participants: search, reputation, balances per currency, and a form to add one.

import { addParticipant, listParticipants } from "../api.js";
import { attempt, load } from "../components/errors.js";
import { serial } from "../components/serial.js";
import { table } from "../components/table.js";
import { el, field, fill, onSubmit } from "../dom.js";
import { moneyEl, reputationEl } from "../format.js";

function addForm(done) {
  const input = (id, fieldName, type = "text") => el("input", { type, id, "data-field": fieldName, autocomplete: "off" });
  const name = input("participant-name", "name");
  const email = input("participant-email", "email", "email");
  const phone = input("participant-phone", "phone", "tel");
  const note = input("participant-note", "note");
  const status = el("p", { class: "form-status", role: "status" });
  const form = el(
    "form",
    { class: "inline-form", novalidate: true, "data-test": "add-participant-form" },
    el("div", { class: "grid-4" }, field("Name", name), field("E-mail", email), field("Phone", phone), field("Note", note)),
    el("div", { class: "form-actions" }, el("button", { type: "submit", class: "primary", "data-test": "add-participant" }, "Add participant"), status),
  );
  onSubmit(form, async () => {
    fill(status);
    const args = { name: name.value };
    for (const [key, control] of [["email", email], ["phone", phone], ["note", note]]) {
      if (control.value.trim()) args[key] = control.value;
    }
    const added = await attempt(() => addParticipant(args), form);
    if (!added) return;
    [name, email, phone, note].forEach((c) => (c.value = ""));
    fill(status, `Added ${added.name}.`);
    name.focus();
    done();
  });
  return form;
}

export function mount(root) {
  const refresh = serial(draw);
  const search = el("input", { type: "search", id: "participant-search", "data-test": "search-participants", placeholder: "Name, e-mail or phone", autocomplete: "off" });
  const list = el("div", { "aria-live": "polite" });
  root.append(
    el("header", { class: "page-head" }, el("h1", {}, "Participants")),
    el("section", { class: "panel", "aria-labelledby": "add-h" }, el("h2", { id: "add-h" }, "Add participant"), addForm(refresh)),
    el(
      "section",
      { class: "panel", "aria-labelledby": "list-h" },
      el("div", { class: "panel-head" }, el("h2", { id: "list-h" }, "All participants"), el("div", { class: "search" }, el("label", { for: "participant-search" }, "Search"), search)),
      list,
    ),
  );

  async function draw() {
    const query = search.value.trim();
    const people = await load(() => listParticipants(query ? { query } : {}));
    if (!people) return;
    fill(
      list,
      table({
        test: "participants",
        caption: "Participants",
        empty: query ? "Nobody matches this search." : "No participants yet.",
        rows: people,
        rowAttrs: (p) => ({ "data-test": `participant-${p.id}` }),
        columns: [
          { label: "Name", className: "wrap", cell: (p) => el("a", { href: `#/participants/${p.id}`, class: "strong", "data-test": `statement-link-${p.id}` }, p.name) },
          { label: "E-mail", className: "wrap", cell: (p) => p.email ?? "" },
          { label: "Phone", cell: (p) => p.phone ?? "" },
          { label: "Reputation", num: true, cell: (p) => reputationEl(p.reputation) },
          {
            label: "Balances",
            num: true,
            cell: (p) =>
              p.balances.length
                ? el("ul", { class: "balances" }, p.balances.map((b) => el("li", {}, moneyEl(b.balance, b.currency))))
                : el("span", { class: "muted" }, "—"),
          },
          { label: "Note", className: "note", cell: (p) => p.note ?? "" },
        ],
      }),
    );
  }

  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });
  refresh();
  return { refresh };
}
