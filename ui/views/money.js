// Money, both ways: who owes you (oldest debt first, with a reminder to copy)
// and whom you owe (payouts due), each row with Record payment / Record
// payout in place; the bank statement import with its review step, and the
// ledger export.

import * as api from "../api.js";
import { attempt, load } from "../components/errors.js";
import { copyText, csvFileInput, exportButtons } from "../components/files.js";
import { serial } from "../components/serial.js";
import { participantPicker } from "../components/participant-picker.js";
import { table } from "../components/table.js";
import { el, field, fill, onSubmit, pressed } from "../dom.js";
import { money, moneyEl, plural, timeEl } from "../format.js";

/** The key of a wallet row: participant and currency ("4-USD"). */
const key = (d) => `${d.participant_id}-${d.currency}`;

export function mount(root) {
  const refresh = serial(draw);
  const owesBox = el("section", { class: "panel", "aria-labelledby": "owes-h", "data-test": "owes-panel" });
  const dueBox = el("section", { class: "panel", "aria-labelledby": "payouts-h", "data-test": "payouts-panel" });
  const bankBox = el("section", { class: "panel", "aria-labelledby": "bank-h" });
  const ledgerBox = el("section", { class: "panel", "aria-labelledby": "ledger-h" });
  // The last thing recorded here, said once under the page heading.
  const status = el("p", { class: "confirm-line", role: "status", "data-test": "money-status" });
  root.append(
    el("header", { class: "page-head" }, el("h1", {}, "Money")),
    el("p", { class: "hint" }, "Both directions of every wallet: who owes you, and whom you owe. Record a payment or a payout right in its row; the amount is filled in with what is owed, and you can change it."),
    status,
    owesBox,
    dueBox,
    bankBox,
    ledgerBox,
  );

  // The one open "record" form (a payment or a payout) and the row it belongs to.
  let open = null;

  /**
   * The form that records a payment (`kind` "payment") or a payout for row
   * `d`, opened in place under it, the amount prefilled with the core's
   * decimal string.
   */
  function recordForm(kind, d, amount) {
    const k = key(d);
    const amountInput = el("input", {
      type: "text",
      id: `${kind}-amount-${k}`,
      value: amount,
      inputmode: "decimal",
      class: "num-input",
      autocomplete: "off",
      "data-field": "amount",
      "data-test": `${kind}-amount-${k}`,
    });
    const method =
      kind === "payment"
        ? el("input", { type: "text", id: `${kind}-method-${k}`, "data-field": "method", autocomplete: "off", placeholder: "cash, bank transfer…" })
        : null;
    const memo = el("input", { type: "text", id: `${kind}-memo-${k}`, "data-field": "memo", autocomplete: "off" });
    const payment = kind === "payment";
    const form = el(
      "form",
      { class: "inline-form record-form", novalidate: true, "data-test": `${kind}-form-${k}`, "aria-label": payment ? `Record a payment from ${d.name}` : `Record a payout to ${d.name}` },
      el(
        "div",
        { class: "grid-3" },
        field(`Amount (${d.currency})`, amountInput, payment ? `What ${d.name} paid you. Prefilled with what they owe.` : `What you handed back to ${d.name}. Prefilled with what you owe them.`),
        method ? field("Method (optional)", method) : null,
        field("Memo (optional)", memo),
      ),
      el(
        "div",
        { class: "form-actions" },
        el("button", { type: "submit", class: "primary", "data-test": `confirm-${kind}-${k}` }, payment ? "Record payment" : "Record payout"),
        el("button", { type: "button", class: "secondary", onclick: () => close() }, "Cancel"),
      ),
    );
    onSubmit(form, async () => {
      const args = { participant_id: d.participant_id, currency: d.currency, amount: amountInput.value.trim() };
      if (method && method.value.trim()) args.method = method.value.trim();
      if (memo.value.trim()) args.memo = memo.value;
      const entry = await attempt(() => (payment ? api.recordPayment(args) : api.recordPayout(args)), form);
      if (!entry) return;
      const sum = money(entry.amount ?? args.amount, entry.currency ?? d.currency);
      fill(status, payment ? `Recorded a payment of ${sum} from ${d.name}.` : `Recorded a payout of ${sum} to ${d.name}.`);
      open = null;
      refresh();
    });
    return { kind, key: k, form, focus: amountInput };
  }

  function close() {
    open = null;
    refresh();
  }

  function toggle(kind, d, amount) {
    if (open && open.kind === kind && open.key === key(d)) {
      close();
      return;
    }
    open = recordForm(kind, d, amount);
    fill(status);
    const opened = open;
    refresh().then(() => {
      if (open !== opened || !opened.focus.isConnected) return;
      opened.focus.focus();
      opened.focus.select();
    });
  }

  /** Puts the open form (kept across refreshes, with what was typed) under its row. */
  function placeForm(box, kind, columns) {
    if (!open || open.kind !== kind) return;
    const row = box.querySelector(`[data-test="${kind === "payment" ? "owes" : "payout"}-${CSS.escape(open.key)}"]`);
    if (!row) {
      open = null;
      return;
    }
    row.classList.add("has-form");
    row.after(el("tr", { class: "form-row" }, el("td", { colspan: columns }, open.form)));
  }

  function deals(list) {
    return list.map((x, i) => [i ? ", " : "", x.deal_id ? el("a", { href: `#/deals/${x.deal_id}` }, x.title) : x.title]);
  }

  // --- who owes you
  function renderOwes(debts) {
    const columns = [
      { label: "Participant", cell: (d) => el("a", { href: `#/participants/${d.participant_id}` }, d.name) },
      { label: "Owes you", num: true, cell: (d) => moneyEl(d.owes, d.currency) },
      { label: "Since", cell: (d) => timeEl(d.owing_since) },
      { label: "Deals", className: "wrap", cell: (d) => deals(d.deals) },
      { label: "Reference", cell: (d) => el("code", {}, d.reference) },
      {
        label: "",
        className: "row-tools",
        cell: (d) =>
          el(
            "div",
            { class: "row-actions" },
            el(
              "button",
              {
                type: "button",
                class: "primary small",
                "data-test": `record-payment-${key(d)}`,
                "aria-expanded": String(!!open && open.kind === "payment" && open.key === key(d)),
                onclick: () => toggle("payment", d, d.owes),
              },
              "Record payment",
            ),
            el(
              "button",
              { type: "button", class: "secondary small", "data-test": `copy-reminder-${d.participant_id}`, title: d.reminder, onclick: () => copyText(d.reminder, `The reminder for ${d.name}`) },
              "Copy reminder",
            ),
          ),
      },
    ];
    const box = el(
      "div",
      {},
      el("h2", { id: "owes-h" }, "Who owes you"),
      el("p", { class: "hint" }, "Participants whose wallet is below zero, across all deals, the oldest debt first."),
      table({
        test: "outstanding",
        caption: "Who owes you",
        empty: "Nobody owes you anything.",
        rows: debts,
        rowAttrs: (d) => ({ "data-test": `owes-${key(d)}` }),
        columns,
      }),
    );
    placeForm(box, "payment", columns.length);
    swap(owesBox, box);
  }

  // --- whom you owe
  function renderPayouts(due) {
    const columns = [
      { label: "Participant", cell: (d) => el("a", { href: `#/participants/${d.participant_id}` }, d.name) },
      { label: "You owe", num: true, cell: (d) => moneyEl(d.owed, d.currency) },
      { label: "From", className: "wrap", cell: (d) => (d.deals.length ? deals(d.deals) : el("span", { class: "muted" }, "payments and refunds across deals")) },
      { label: "E-mail", className: "wrap", cell: (d) => d.email ?? "" },
      {
        label: "",
        className: "row-tools",
        cell: (d) =>
          el(
            "button",
            {
              type: "button",
              class: "primary small",
              "data-test": `record-payout-${key(d)}`,
              "aria-expanded": String(!!open && open.kind === "payout" && open.key === key(d)),
              onclick: () => toggle("payout", d, d.owed),
            },
            "Record payout",
          ),
      },
    ];
    const box = el(
      "div",
      {},
      el("h2", { id: "payouts-h" }, "Whom you owe"),
      el("p", { class: "hint" }, "Participants whose wallet is above zero: a refund after a deal ended lower, or an overpayment. Hand the money back, then record the payout."),
      table({
        test: "payouts-due",
        caption: "Whom you owe",
        empty: "You owe nobody anything.",
        rows: due,
        rowAttrs: (d) => ({ "data-test": `payout-${key(d)}` }),
        columns,
      }),
    );
    placeForm(box, "payout", columns.length);
    swap(dueBox, box);
  }

  /** Replaces a panel's content with `box`'s (built first: no empty flash). */
  function swap(panel, box) {
    fill(panel, ...box.childNodes);
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
  let reviewed = null;
  // line -> participant id chosen in the review ("" = leave unmatched), and skipped lines
  const chosen = new Map();
  const skipped = new Set();

  function bankArgs() {
    const assign = [...chosen].filter(([, p]) => p).map(([line, p]) => ({ line, participant_id: Number(p) }));
    return { currency: currency.value.trim(), csv: reviewed, assign, skip: [...skipped] };
  }

  /** Whose payment an unmatched row is: a search over the participants (never all of them listed). */
  function assignCell(row, currency, typed) {
    const id = `assign-${row.line}`;
    const assign = async (value) => {
      chosen.set(row.line, value);
      await preview(true);
      // "Leave unmatched" is gone with the assignment: the row's search
      // takes the focus it had, unless the person has moved on.
      if (document.activeElement === document.body) document.getElementById(id)?.focus();
    };
    const picker = participantPicker({
      id,
      test: id,
      label: `Participant for line ${row.line}`,
      allowNew: false,
      inline: true,
      keepOnBlur: true,
      onPick: (p) => assign(String(p.id)),
    });
    const assigned = row.matched_by === "assigned";
    if (assigned) {
      picker.set({ id: row.participant_id, name: row.participant });
      picker.input.dataset.assigned = "";
    }
    // What was being typed in an unassigned row survives the redraw.
    else if (typed.has(id)) picker.input.value = typed.get(id);
    return [
      picker.node,
      assigned
        ? el(
            "p",
            { class: "hint" },
            `Assigned by you; balance after: ${money(row.balance_after, currency)}. `,
            el("button", { type: "button", class: "link", "data-test": `unassign-${row.line}`, onclick: () => assign("") }, "Leave unmatched"),
          )
        : null,
      row.reason ? el("p", { class: "hint" }, row.reason) : null,
    ];
  }

  let previewed = 0;
  async function preview(keepChoices = false) {
    fill(bankStatus);
    if (!keepChoices) {
      chosen.clear();
      skipped.clear();
      reviewed = text.value;
    }
    const turn = ++previewed;
    // An answer overtaken by a newer choice, or by the import, is dropped,
    // its error too.
    const r = await attempt(
      () =>
        api.previewBankImport(bankArgs()).catch((e) => {
          if (turn === previewed) throw e;
          return null;
        }),
      bankForm,
    );
    // Only the answer to the latest choice is drawn.
    if (!r || turn !== previewed) return;
    const s = r.summary;
    // What was typed in the search of a row without a participant (an
    // assigned row's box holds its participant's name, not a search).
    const typed = new Map([...review.querySelectorAll("input[id^='assign-']:not([data-assigned])")].map((i) => [i.id, i.value]));
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
                return `${row.participant} (by ${row.matched_by === "reference" ? "reference" : "amount due"}); balance after: ${money(row.balance_after, r.currency)}`;
              }
              if (row.status === "unmatched" || row.matched_by === "assigned") return assignCell(row, r.currency, typed);
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
        el("button", { type: "button", class: "primary", "data-test": "record-bank", disabled: s.errors > 0 || s.matched === 0, onclick: (e) => pressed(e.currentTarget, commit) }, `Record ${plural(s.matched, "payment")}`),
        s.errors > 0 ? el("span", { class: "warning" }, "Skip or fix the rows with errors first.") : null,
      ),
    );
    // A search being typed in has its focus back (fill): the caret at its end.
    const a = document.activeElement;
    if (a?.id?.startsWith("assign-") && review.contains(a)) a.setSelectionRange(a.value.length, a.value.length);
  }

  async function commit() {
    previewed += 1;
    const r = await attempt(() => api.importBank(bankArgs()), bankForm);
    if (!r) return;
    fill(review);
    fill(bankStatus, `Recorded ${plural(r.summary.matched, "payment")} of ${money(r.summary.amount, r.currency)}.`);
    text.value = "";
    reviewed = null;
    refresh();
  }

  fill(bankBox, el("h2", { id: "bank-h" }, "Import a bank statement"), bankForm, review);
  text.addEventListener("input", () => {
    previewed += 1;
    fill(review);
  });

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
    const [debts, due] = await Promise.all([load(() => api.outstanding({})), load(() => api.payoutsDue({}))]);
    // Focus inside the open form comes back after the rows are redrawn.
    const active = document.activeElement;
    const keep = open && open.form.contains(active) ? active : null;
    if (debts) renderOwes(debts);
    if (due) renderPayouts(due);
    if (keep && keep.isConnected && document.activeElement !== keep) keep.focus({ preventScroll: true });
  }

  refresh();
  return { refresh };
}
