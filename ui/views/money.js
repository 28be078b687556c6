// Money: who owes what across deals (oldest debt first, with a reminder to
// copy for each), the bank statement import with its review step, and the
// ledger export.

import * as api from "../api.js";
import { attempt, load } from "../components/errors.js";
import { copyText, csvFileInput, exportButtons } from "../components/files.js";
import { serial } from "../components/serial.js";
import { table } from "../components/table.js";
import { el, field, fill, options } from "../dom.js";
import { money, moneyEl, plural, timeEl } from "../format.js";

export function mount(root) {
  const refresh = serial(draw);
  const owesBox = el("section", { class: "panel", "aria-labelledby": "owes-h" });
  const bankBox = el("section", { class: "panel", "aria-labelledby": "bank-h" });
  const ledgerBox = el("section", { class: "panel", "aria-labelledby": "ledger-h" });
  root.append(el("header", { class: "page-head" }, el("h1", {}, "Money")), owesBox, bankBox, ledgerBox);

  // --- who owes what
  function renderOwes(debts) {
    fill(
      owesBox,
      el("h2", { id: "owes-h" }, "Who owes what"),
      el("p", { class: "hint" }, "Outstanding balances across all deals, the oldest debt first."),
      table({
        test: "outstanding",
        caption: "Outstanding balances",
        empty: "Nobody owes anything.",
        rows: debts,
        rowAttrs: (d) => ({ "data-test": `owes-${d.participant_id}-${d.currency}` }),
        columns: [
          { label: "Participant", cell: (d) => el("a", { href: `#/participants/${d.participant_id}` }, d.name) },
          { label: "Owes", num: true, cell: (d) => moneyEl(d.owes, d.currency) },
          { label: "Since", cell: (d) => timeEl(d.owing_since) },
          { label: "Deals", className: "wrap", cell: (d) => d.deals.map((x) => x.title).join(", ") },
          { label: "Reference", cell: (d) => el("code", {}, d.reference) },
          {
            label: "",
            cell: (d) =>
              el(
                "button",
                { type: "button", class: "secondary small", "data-test": `copy-reminder-${d.participant_id}`, title: d.reminder, onclick: () => copyText(d.reminder, `The reminder for ${d.name}`) },
                "Copy reminder",
              ),
          },
        ],
      }),
    );
  }

  // --- bank statement import
  const currency = el("input", { id: "bank-currency", value: "USD", size: 4, "data-field": "currency", "data-test": "bank-currency" });
  const text = el("textarea", { id: "bank-csv", rows: 6, class: "csv-text", spellcheck: "false", "data-field": "csv", "data-test": "bank-csv" });
  const file = csvFileInput("bank-file", text);
  const review = el("div", { "data-test": "bank-review" });
  const bankStatus = el("p", { class: "form-status", role: "status", "data-test": "bank-status" });
  const bankForm = el(
    "form",
    { onsubmit: (e) => (e.preventDefault(), preview()) },
    el("p", { class: "hint" }, "Columns: date, amount, reference and/or name. Credits are matched by the participant's reference code (on their statement and reminders), then by the exact amount they owe. Rows imported before are recognised and never recorded twice."),
    el("div", { class: "actions" }, field("Currency", currency), field("Choose the bank's CSV file", file)),
    field("Or paste the statement", text),
    el("div", { class: "form-actions" }, el("button", { type: "submit", class: "primary", "data-test": "preview-bank" }, "Review"), bankStatus),
  );
  let people = [];
  let reviewed = null;
  // line -> participant id chosen in the review ("" = leave unmatched), and skipped lines
  const chosen = new Map();
  const skipped = new Set();

  function bankArgs() {
    const assign = [...chosen].filter(([, p]) => p).map(([line, p]) => ({ line, participant_id: Number(p) }));
    return { currency: currency.value.trim(), csv: reviewed, assign, skip: [...skipped] };
  }

  async function preview(keepChoices = false) {
    fill(bankStatus);
    if (!keepChoices) {
      chosen.clear();
      skipped.clear();
      reviewed = text.value;
    }
    const r = await attempt(() => api.previewBankImport(bankArgs()), bankForm);
    if (!r) return;
    const s = r.summary;
    const who = [["", "— leave unmatched —"], ...people.map((p) => [p.id, `${p.name} (${p.reference})`])];
    fill(
      review,
      el("h3", {}, "Review"),
      el(
        "p",
        { "data-test": "bank-summary" },
        `${plural(s.matched, "payment")} of ${money(s.amount, r.currency)} to record; ${s.unmatched} unmatched, ${s.duplicates} already imported, ${plural(s.debits, "debit")}, ${s.skipped} skipped, ${plural(s.errors, "error")}.`,
      ),
      table({
        test: "bank-rows",
        caption: "Rows of the bank statement",
        rows: r.rows,
        rowAttrs: (row) => ({ "data-test": `bank-row-${row.line}`, class: `bank-${row.status}` }),
        columns: [
          { label: "Line", num: true, cell: (row) => String(row.line) },
          { label: "Date", cell: (row) => row.date },
          { label: "Amount", num: true, cell: (row) => moneyEl(row.amount) },
          { label: "Reference", className: "wrap", cell: (row) => [row.reference, row.name ? ` (${row.name})` : ""] },
          { label: "Status", cell: (row) => el("span", { class: `badge bank-status-${row.status}`, "data-test": `bank-status-${row.line}` }, row.status) },
          {
            label: "Participant",
            className: "wrap",
            cell: (row) => {
              if (row.status === "matched" && row.matched_by !== "assigned") {
                return `${row.participant} (by ${row.matched_by === "reference" ? "reference" : "amount due"}); balance after: ${money(row.balance_after)}`;
              }
              if (row.status === "unmatched" || row.matched_by === "assigned") {
                const sel = el("select", { "aria-label": `Participant for line ${row.line}`, "data-test": `assign-${row.line}` }, options(who, chosen.get(row.line) ?? ""));
                sel.addEventListener("change", () => {
                  chosen.set(row.line, sel.value);
                  preview(true);
                });
                return [sel, row.reason ? el("p", { class: "hint" }, row.reason) : null];
              }
              if (row.status === "error") return el("span", { class: "danger-text" }, row.error);
              if (row.status === "duplicate") return `imported ${row.imported_at}`;
              return "";
            },
          },
          {
            label: "Skip",
            cell: (row) =>
              ["matched", "unmatched", "error", "skipped"].includes(row.status)
                ? el("input", {
                    type: "checkbox",
                    "aria-label": `Skip line ${row.line}`,
                    checked: skipped.has(row.line),
                    onchange: (e) => {
                      if (e.target.checked) skipped.add(row.line);
                      else skipped.delete(row.line);
                      preview(true);
                    },
                  })
                : "",
          },
        ],
      }),
      el(
        "div",
        { class: "form-actions" },
        el("button", { type: "button", class: "primary", "data-test": "record-bank", disabled: s.errors > 0 || s.matched === 0, onclick: commit }, `Record ${plural(s.matched, "payment")}`),
        s.errors > 0 ? el("span", { class: "warning" }, "Skip or fix the rows with errors first.") : null,
      ),
    );
  }

  async function commit() {
    const r = await attempt(() => api.importBank(bankArgs()), bankForm);
    if (!r) return;
    fill(review);
    fill(bankStatus, `Recorded ${plural(r.summary.matched, "payment")} of ${money(r.summary.amount, r.currency)}.`);
    text.value = "";
    reviewed = null;
    refresh();
  }

  fill(bankBox, el("h2", { id: "bank-h" }, "Import a bank statement"), bankForm, review);
  text.addEventListener("input", () => fill(review));

  // --- ledger export
  const ledgerCurrency = el("input", { id: "ledger-currency", value: "USD", size: 4, "data-test": "ledger-currency" });
  fill(
    ledgerBox,
    el("h2", { id: "ledger-h" }, "Ledger"),
    el("p", { class: "hint" }, "Every entry of a currency, with the running wallet balances."),
    el("div", { class: "actions" }, field("Currency", ledgerCurrency)),
    el("div", { class: "actions", "data-test": "ledger-export" }),
  );
  const ledgerActions = ledgerBox.querySelector("[data-test=ledger-export]");
  const exportLedger = (args) => api.exportLedger({ ...args, currency: ledgerCurrency.value.trim() });
  fill(ledgerActions, exportButtons("Ledger", exportLedger, {}, "ledger", "export-ledger"));

  async function draw() {
    const [debts, list] = await Promise.all([load(() => api.outstanding({})), load(() => api.listParticipants({}))]);
    if (debts) renderOwes(debts);
    if (list) people = list;
  }

  refresh();
  return { refresh };
}
