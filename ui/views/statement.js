// A participant's statement: wallet entries per currency with the running
// balance, reversal of payments and payouts, recording payments and
// payouts, and the reputation events.

import * as api from "../api.js";
import { confirmDialog } from "../components/dialog.js";
import { attempt, load } from "../components/errors.js";
import { serial } from "../components/serial.js";
import { table } from "../components/table.js";
import { el, field, fill, onSubmit, pressed, refreshSelect } from "../dom.js";
import { money, moneyEl, reputationEl, timeEl } from "../format.js";

const REVERSIBLE = new Set(["payment", "payout"]);

function moneyForm(kind, ctx) {
  const id = (name) => `${kind}-${name}`;
  const amount = el("input", { type: "text", id: id("amount"), inputmode: "decimal", class: "num-input", "data-field": "amount", autocomplete: "off" });
  const memo = el("input", { type: "text", id: id("memo"), "data-field": "memo", autocomplete: "off" });
  const method = kind === "payment" ? el("input", { type: "text", id: id("method"), "data-field": "method", placeholder: "cash, bank transfer…", autocomplete: "off" }) : null;
  const deal = kind === "payment" ? el("select", { id: id("deal"), "data-field": "deal_id" }) : null;
  const legend = el("legend", {});
  const said = el("p", { class: "confirm-line", role: "status", "data-test": `${kind}-status` });
  const form = el(
    "form",
    { class: "inline-form", novalidate: true, "data-test": `${kind}-form` },
    el(
      "fieldset",
      {},
      legend,
      el("div", { class: "grid-2" }, field("Amount", amount), method ? field("Method", method) : null, deal ? field("Deal (optional)", deal) : null, field("Memo", memo)),
      el("button", { type: "submit", class: "primary", "data-test": kind === "payment" ? "record-payment" : "record-payout" }, kind === "payment" ? "Record payment" : "Record payout"),
      said,
    ),
  );
  onSubmit(form, async () => {
    const args = { participant_id: ctx.participantId, currency: ctx.currency(), amount: amount.value.trim() };
    if (memo.value.trim()) args.memo = memo.value;
    if (method && method.value.trim()) args.method = method.value;
    if (deal && deal.value) args.deal_id = Number(deal.value);
    const call = kind === "payment" ? api.recordPayment : api.recordPayout;
    fill(said);
    const entry = await attempt(() => call(args), form);
    if (entry) {
      const sum = money(entry.amount ?? args.amount, entry.currency ?? args.currency);
      fill(said, kind === "payment" ? `Recorded a payment of ${sum}.` : `Recorded a payout of ${sum}.`);
      amount.value = "";
      memo.value = "";
      if (method) method.value = "";
      ctx.refresh();
    }
  });
  const update = (currency, deals) => {
    fill(legend, kind === "payment" ? `Record a payment received (${currency})` : `Record a payout handed back (${currency})`);
    if (deal) refreshSelect(deal, [["", "None"], ...deals.filter((d) => d.currency === currency).map((d) => [d.id, d.title])]);
  };
  return { form, update };
}

/**
 * The wallet's credit limit in the chosen currency (SPEC section 10): how
 * much bookings may make the participant owe; empty means no limit.
 */
function limitForm(ctx) {
  const input = el("input", { type: "text", id: "credit-limit", inputmode: "decimal", class: "num-input", "data-field": "limit", autocomplete: "off", "data-test": "credit-limit" });
  const legend = el("legend", {});
  const status = el("p", { class: "form-status", role: "status", "data-test": "credit-limit-status" });
  const remove = el("button", { type: "button", class: "secondary", "data-test": "remove-credit-limit" }, "No limit");
  const form = el(
    "form",
    { class: "inline-form", novalidate: true, "data-test": "credit-limit-form" },
    el(
      "fieldset",
      {},
      legend,
      field("Credit limit", input, "How much this participant may owe because of bookings; 0.00: they pay before booking."),
      el("div", { class: "form-actions" }, el("button", { type: "submit", class: "primary", "data-test": "save-credit-limit" }, "Save limit"), remove, status),
    ),
  );
  async function save(limit) {
    fill(status);
    const saved = await attempt(() => api.setCreditLimit({ participant_id: ctx.participantId, currency: ctx.currency(), limit }), form);
    if (!saved) return;
    const now = saved.credit_limits[ctx.currency()];
    fill(status, now ? `Limit set: ${money(now, ctx.currency())}.` : "No limit any more.");
    ctx.refresh();
  }
  onSubmit(form, () => save(input.value.trim()));
  remove.addEventListener("click", () => pressed(remove, () => save(null)));
  const update = (currency, person) => {
    fill(legend, `Credit limit (${currency})`);
    if (document.activeElement !== input) input.value = person.credit_limits?.[currency] ?? "";
  };
  return { form, update };
}

/** Deal, memo, method and reversal links of an entry, in one cell. */
function details(e, titles) {
  const parts = [
    e.deal_id ? el("a", { href: `#/deals/${e.deal_id}` }, titles.get(e.deal_id) ?? `Deal ${e.deal_id}`) : null,
    e.memo,
    e.method && `via ${e.method}`,
    e.reverses && !e.memo ? `reverses #${e.reverses}` : null,
    e.reversed_by ? el("span", { class: "muted" }, `reversed by #${e.reversed_by}`) : null,
  ].filter(Boolean);
  return parts.flatMap((p, i) => (i ? [" · ", p] : [p]));
}

async function reverseFlow(entry, currency, refresh) {
  const memo = el("textarea", { id: "reverse-memo", rows: 2 });
  const ok = await confirmDialog({
    title: `Reverse ${entry.kind} #${entry.id}?`,
    test: "reverse-dialog",
    confirmTest: "confirm-reverse",
    confirmLabel: "Reverse entry",
    body: [
      el("p", {}, `An opposite entry of ${money(entry.amount, currency)} is added; the original stays in the ledger.`),
      field("Memo (optional)", memo),
    ],
  });
  if (ok && (await attempt(() => api.reverseEntry(memo.value.trim() ? { entry_id: entry.id, memo: memo.value } : { entry_id: entry.id })))) refresh();
}

export function mount(root, participantId) {
  const refresh = serial(draw);
  const heading = el("h1", {}, "Statement");
  const about = el("div", { class: "deal-meta" });
  const currency = el("select", { id: "statement-currency", "data-test": "statement-currency" });
  const summary = el("div", { class: "stats" });
  const entriesBox = el("div");
  const repBox = el("section", { class: "panel", "aria-labelledby": "rep-h" });
  const ctx = { participantId, currency: () => currency.value, refresh };
  const payment = moneyForm("payment", ctx);
  const payout = moneyForm("payout", ctx);
  const limit = limitForm(ctx);
  root.append(
    el("header", { class: "page-head" }, heading, el("a", { href: "#/participants", class: "button secondary" }, "All participants")),
    about,
    el(
      "section",
      { class: "panel", "aria-labelledby": "entries-h" },
      el("div", { class: "panel-head" }, el("h2", { id: "entries-h" }, "Wallet"), el("div", { class: "search" }, el("label", { for: "statement-currency" }, "Currency"), currency)),
      summary,
      entriesBox,
    ),
    el("section", { class: "panel forms-2", "aria-label": "Payments and payouts" }, payment.form, payout.form),
    el("section", { class: "panel", "aria-label": "Credit limit" }, limit.form),
    repBox,
  );

  async function draw() {
    const [people, deals, rep] = await Promise.all([
      load(() => api.listParticipants({})),
      load(() => api.listDeals({})),
      load(() => api.reputation({ participant_id: participantId })),
    ]);
    if (!people || !deals) return;
    const person = people.find((p) => p.id === participantId);
    if (!person) {
      fill(about, el("p", { class: "notice" }, `No participant ${participantId}.`));
      return;
    }
    heading.textContent = person.name;
    fill(about, person.email ? el("span", {}, person.email) : null, person.phone ? el("span", {}, person.phone) : null, person.note ? el("span", { class: "note" }, person.note) : null, el("span", {}, "Reputation ", reputationEl(person.reputation)));
    const codes = [...new Set([...person.balances.map((b) => b.currency), ...deals.map((d) => d.currency)])];
    if (!codes.length) codes.push("USD");
    refreshSelect(currency, codes.map((c) => [c, c]));
    if (!currency.value) currency.value = codes[0];
    payment.update(currency.value, deals);
    payout.update(currency.value, deals);
    limit.update(currency.value, person);
    if (rep) renderReputation(rep, deals);
    const st = await load(() => api.statement({ participant_id: participantId, currency: currency.value }));
    if (st) renderStatement(st, deals);
  }

  function renderStatement(st, deals) {
    const titles = new Map(deals.map((d) => [d.id, d.title]));
    const sign = st.balance.startsWith("-") ? "owes the organizer" : st.balance.replace(/[0.]/g, "") === "" ? "settled up" : "the organizer owes them";
    fill(
      summary,
      el("div", { class: "stat" }, el("span", { class: "stat-label" }, `Balance (${st.currency})`), el("span", { class: "stat-value", "data-test": "balance" }, money(st.balance)), el("span", { class: "stat-note" }, sign)),
      el("div", { class: "stat" }, el("span", { class: "stat-label" }, "Payment reference"), el("span", { class: "stat-value", "data-test": "reference" }, st.reference), el("span", { class: "stat-note" }, "for bank transfers")),
    );
    fill(
      entriesBox,
      table({
        test: "entries",
        caption: `Wallet entries in ${st.currency}`,
        empty: `No entries in ${st.currency}.`,
        rows: st.entries,
        rowAttrs: (e) => ({ "data-test": `entry-${e.id}` }),
        columns: [
          { label: "#", num: true, cell: (e) => String(e.id) },
          { label: "Date", cell: (e) => timeEl(e.created_at) },
          { label: "Kind", className: "kind", cell: (e) => e.kind },
          { label: "Amount", num: true, className: "amount", cell: (e) => moneyEl(e.amount) },
          { label: el("span", { title: "How the entry moves the wallet: minus, the participant owes more; plus, less (or you owe them)." }, "Signed"), num: true, className: "signed", cell: (e) => moneyEl(e.signed_amount) },
          { label: "Balance after", num: true, className: "balance-after", cell: (e) => moneyEl(e.balance_after) },
          { label: "Details", className: "note", cell: (e) => details(e, titles) },
          {
            label: "",
            cell: (e) =>
              REVERSIBLE.has(e.kind) && !e.reversed_by
                ? el("button", { type: "button", class: "secondary small", "data-test": `reverse-${e.id}`, onclick: () => reverseFlow(e, st.currency, refresh) }, "Reverse")
                : "",
          },
        ],
      }),
      st.entries.length ? el("p", { class: "hint" }, "Signed: how each entry moves the wallet. Minus: the participant owes you more; plus: they owe less, or you owe them.") : null,
    );
  }

  function renderReputation(rep, deals) {
    const titles = new Map(deals.map((d) => [d.id, d.title]));
    fill(
      repBox,
      el("h2", { id: "rep-h" }, "Reputation ", reputationEl(rep.score)),
      el("p", { class: "hint" }, "Reputation: one point for every deal completed, minus one for each penalty (a cancellation that lowered a deal's tier). It is shown in the approval queue."),
      table({
        test: "reputation",
        caption: "Reputation events",
        empty: "No reputation events yet.",
        rows: rep.events,
        rowAttrs: (r) => ({ "data-test": `reputation-${r.id}` }),
        columns: [
          { label: "Date", cell: (r) => timeEl(r.created_at) },
          { label: "Event", cell: (r) => r.kind.replaceAll("_", " ") },
          { label: "Effect", num: true, cell: (r) => reputationEl(r.delta) },
          { label: "Deal", cell: (r) => (r.deal_id ? el("a", { href: `#/deals/${r.deal_id}` }, titles.get(r.deal_id) ?? `#${r.deal_id}`) : "") },
          { label: "Reason", className: "note", cell: (r) => r.reason ?? "" },
        ],
      }),
    );
  }

  currency.addEventListener("change", refresh);
  refresh();
  return { refresh };
}
