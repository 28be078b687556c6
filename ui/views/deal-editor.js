// Deal editor: create a deal, edit a draft, or edit what an open deal allows
// (title, description, merchant, pickup points, a later closing time).

import { checkTiers, createDeal, getDeal, updateDeal } from "../api.js";
import { attempt, load } from "../components/errors.js";
import { costOf, rowsEditor } from "../components/editor-rows.js";
import { lossesList } from "./economics.js";
import { el, field, fill, markEmpty, options } from "../dom.js";
import { fromLocalInput, toLocalInput } from "../format.js";

const OPEN_EDITABLE = ["title", "description", "merchant", "pickup_points", "closes_at"];

const input = (id, fieldName, value, attrs = {}) =>
  el("input", { type: "text", id, "data-field": fieldName, value: value ?? "", autocomplete: "off", ...attrs });

const textarea = (id, fieldName, value, rows = 3) =>
  el("textarea", { id, "data-field": fieldName, rows }, value ?? "");

const select = (id, fieldName, pairs, value) => el("select", { id, "data-field": fieldName }, options(pairs, value));

/** A whole number as a JSON number; anything else as typed, for the back end to refuse. */
function qty(value) {
  const v = value.trim();
  if (v === "") return null;
  return /^-?\d{1,15}$/.test(v) ? Number(v) : v;
}

const optText = (value) => (value.trim() === "" ? null : value);
const list = (value, sep) => {
  const parts = value.split(sep).map((s) => s.trim()).filter(Boolean);
  return parts.length ? parts : null;
};

function buildForm(deal) {
  const d = deal || {};
  const percent = d.payment?.mode === "deposit" ? d.payment.percent : "";
  const controls = {
    title: input("deal-title", "title", d.title, { maxlength: 200 }),
    description: textarea("deal-description", "description", d.description),
    merchant: input("deal-merchant", "merchant", d.merchant),
    currency: input("deal-currency", "currency", d.currency ?? "USD", { maxlength: 3, class: "code", spellcheck: "false" }),
    opens_at: markEmpty(input("deal-opens-at", "opens_at", toLocalInput(d.opens_at), { type: "datetime-local" })),
    closes_at: markEmpty(input("deal-closes-at", "closes_at", toLocalInput(d.closes_at), { type: "datetime-local" })),
    mode: select("deal-payment-mode", "payment.mode", [["full", "Full price"], ["deposit", "Deposit"]], d.payment?.mode ?? "full"),
    percent: input("deal-deposit-percent", "payment.percent", percent, { inputmode: "decimal", class: "num-input" }),
    commission: input("deal-commission-percent", "commission_percent", d.commission_percent, { inputmode: "decimal", class: "num-input" }),
    min_qty: input("deal-min-qty", "min_qty", d.min_qty ?? "1", { inputmode: "numeric", class: "num-input" }),
    approval: select("deal-approval", "approval", [["auto", "Automatic"], ["manual", "Manual (approval queue)"]], d.approval ?? "auto"),
    domains: input("deal-allowed-domains", "allowed_domains", (d.allowed_domains || []).join(", ")),
    max: input("deal-max-per-participant", "max_per_participant", d.max_per_participant, { inputmode: "numeric", class: "num-input" }),
    stock: input("deal-stock", "stock", d.stock, { inputmode: "numeric", class: "num-input" }),
    pickup: textarea("deal-pickup-points", "pickup_points", (d.pickup_points || []).join("\n")),
  };
  const percentField = field("Deposit percent", controls.percent, "Strictly between 0 and 100.");
  const syncMode = () => {
    const deposit = controls.mode.value === "deposit";
    percentField.hidden = !deposit;
    controls.percent.disabled = !deposit || controls.mode.disabled;
  };
  controls.mode.addEventListener("change", syncMode);
  const rows = rowsEditor({ items: d.items || [], tiers: d.tiers || [] }, d.status === "open");

  const sections = el(
    "div",
    { class: "editor-sections" },
    el(
      "fieldset",
      {},
      el("legend", {}, "About the deal"),
      el("div", { class: "grid-2" }, field("Title", controls.title), field("Merchant", controls.merchant)),
      field("Description", controls.description),
    ),
    el(
      "fieldset",
      {},
      el("legend", {}, "Money and timing"),
      el(
        "div",
        { class: "grid-3" },
        field("Currency", controls.currency, "ISO 4217 code, e.g. USD."),
        field("Opens at", controls.opens_at, "Optional (empty: open at once); local time."),
        field("Closes at", controls.closes_at, "Required: the end of the booking window; local time."),
        field("Payment at approval", controls.mode, "What approving a booking charges: the full base price, or a deposit (the rest at the end)."),
        percentField,
        field("Commission percent", controls.commission, "Optional; paid by the merchant."),
      ),
    ),
    el(
      "fieldset",
      {},
      el("legend", {}, "Rules"),
      el(
        "div",
        { class: "grid-3" },
        field("Minimum quantity", controls.min_qty, "Total approved units for the deal to succeed."),
        field("Approval", controls.approval, "Automatic: valid bookings count at once. Manual: you approve each one."),
        field("Max per participant", controls.max, "Optional: units one participant may book in this deal."),
        field("Stock", controls.stock, "Optional cap on approved units."),
        field("Allowed e-mail domains", controls.domains, "Optional, comma separated."),
        field("Pickup points", controls.pickup, "Optional, one per line."),
      ),
    ),
    rows.node,
  );
  syncMode();

  function collect() {
    const payment = { mode: controls.mode.value };
    if (payment.mode === "deposit" && controls.percent.value.trim() !== "") payment.percent = controls.percent.value.trim();
    const { items, tiers } = rows.read();
    return {
      title: controls.title.value,
      description: optText(controls.description.value),
      merchant: optText(controls.merchant.value),
      currency: controls.currency.value.trim(),
      opens_at: optText(fromLocalInput(controls.opens_at.value)),
      closes_at: fromLocalInput(controls.closes_at.value),
      payment,
      commission_percent: optText(controls.commission.value.trim()),
      min_qty: qty(controls.min_qty.value) ?? "",
      approval: controls.approval.value,
      allowed_domains: list(controls.domains.value, ","),
      max_per_participant: qty(controls.max.value),
      stock: qty(controls.stock.value),
      pickup_points: list(controls.pickup.value, "\n"),
      items: items.map((i) => {
        const item = { name: i.name, base_price: i.base_price.trim() };
        const cost = costOf(i);
        if (cost) item.cost = cost;
        return item;
      }),
      tiers: tiers.map((t) => {
        const tier = { min_qty: qty(t.min_qty) ?? "", prices: t.prices.map((p) => p.trim()) };
        if (t.reward.trim() !== "") tier.reward = t.reward;
        return tier;
      }),
    };
  }

  if (d.status === "open") {
    const editable = new Set(["deal-title", "deal-description", "deal-merchant", "deal-closes-at", "deal-pickup-points"]);
    Object.values(controls).forEach((c) => {
      if (!editable.has(c.id)) c.disabled = true;
    });
    syncMode();
  }
  return { sections, collect };
}

/** The arguments for create_deal (no empty optional fields) or update_deal (changed fields only). */
function payloadFor(deal, initial, now) {
  if (!deal) {
    return Object.fromEntries(Object.entries(now).filter(([, v]) => v !== null && v !== ""));
  }
  const keys = deal.status === "open" ? OPEN_EDITABLE : Object.keys(now);
  const args = { deal_id: deal.id };
  for (const key of keys) {
    if (JSON.stringify(now[key]) !== JSON.stringify(initial[key])) args[key] = now[key];
  }
  return args;
}

/** `repeated`: a draft `clone_deal` just made, whose dates are to be set. */
export function mount(root, dealId, { repeated = false } = {}) {
  const heading = el("h1", {}, dealId ? "Edit deal" : "New deal");
  const body = el("div", { "aria-busy": "true" });
  root.append(
    el("header", { class: "page-head" }, heading, el("a", { href: dealId ? `#/deals/${dealId}` : "#/deals", class: "button secondary" }, "Back")),
    body,
  );

  function render(deal) {
    body.removeAttribute("aria-busy");
    if (deal && !["draft", "open"].includes(deal.status)) {
      body.append(el("p", { class: "notice" }, `This deal is ${deal.status}: ended deals cannot change.`));
      return;
    }
    if (deal) heading.textContent = `Edit “${deal.title}”`;
    const { sections, collect } = buildForm(deal);
    const initial = collect();
    const closedDraft = deal?.status === "draft" && (repeated || new Date(deal.closes_at).getTime() <= Date.now());
    const save = el("button", { type: "submit", class: "primary", "data-test": "save-deal" }, deal ? "Save changes" : "Create draft");
    const form = el(
      "form",
      { class: "editor", "data-test": "deal-editor", novalidate: true },
      deal?.status === "open"
        ? el("p", { class: "notice" }, "This deal is open: only the title, description, merchant, pickup points and a later closing time can change.")
        : null,
      closedDraft
        ? el(
            "p",
            { class: "notice", "data-test": "set-closes-at" },
            repeated
              ? "A new draft with the same terms and no bookings: set when bookings open and close, then save and open it."
              : "The closing time of this draft has passed: set when bookings close before you open it.",
          )
        : null,
      sections,
      el("div", { class: "form-actions" }, save, el("a", { href: deal ? `#/deals/${deal.id}` : "#/deals", class: "button secondary" }, "Discard")),
    );
    let busy = false;
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (busy) return;
      busy = true;
      const args = payloadFor(deal, initial, collect());
      const saved = await attempt(() => (deal ? updateDeal(args) : createDeal(args)), form);
      busy = false;
      if (saved) location.hash = `#/deals/${saved.id}`;
    });
    // While the organizer types, the core checks the tiers against the
    // merchant's costs (nothing is saved; the title and closing time do not
    // matter to the check, so missing ones are stood in for).
    const check = el("section", { class: "panel loss-check", "aria-live": "polite", "data-test": "loss-check" });
    let timer = null;
    let asked = 0;
    const runCheck = async () => {
      const terms = payloadFor(null, null, collect());
      delete terms.deal_id;
      if (!terms.items?.some((i) => i.cost)) {
        fill(check);
        check.hidden = true;
        return;
      }
      terms.title ||= "check";
      terms.closes_at ||= "2100-01-01T00:00:00Z";
      const mine = ++asked;
      let result = null;
      let error = null;
      try {
        result = await checkTiers({ terms });
      } catch (e) {
        error = e;
      }
      if (mine !== asked) return;
      check.hidden = false;
      fill(check, el("h2", {}, "Merchant cost check"), error ? el("p", { class: "muted", "data-test": "loss-check-pending" }, `Complete the terms to check them: ${error.message}`) : lossesList(result));
    };
    form.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(runCheck, 250);
    });
    form.insertBefore(check, form.querySelector(".form-actions"));
    check.hidden = true;
    runCheck();
    body.append(form);
    if (!deal) form.querySelector("#deal-title").focus();
    else if (closedDraft) form.querySelector("#deal-closes-at").focus();
  }

  if (dealId) load(() => getDeal({ deal_id: dealId })).then((deal) => deal && render(deal));
  else render(null);
  // The editor never redraws under the user's hands: no refresh.
  return {};
}
