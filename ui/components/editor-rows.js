// The deal editor's items and tiers: rows that can be added and removed.
// Values stay as typed (money as strings); the back end validates them.

import { el, fill } from "../dom.js";

const MAX_TIERS = 5;

const text = (id, value, attrs = {}) =>
  el("input", { type: "text", id, value: value ?? "", autocomplete: "off", ...attrs });

const moneyInput = (id, value, attrs) => text(id, value, { inputmode: "decimal", class: "num-input", ...attrs });

/** "10 for 80.00, 24 for 180.00": an item's packs as the organizer types them. */
function packsText(cost) {
  return (cost?.packs ?? []).map((p) => `${p.size} for ${p.price}`).join(", ");
}

/**
 * An item's `cost` from its two cells, or null when both are empty. Pack
 * text is split, not computed: "10 for 80.00" -> {size: 10, price: "80.00"};
 * anything else goes as typed, for the back end to refuse by field.
 */
export function costOf(item) {
  const unit = item.unit_cost.trim();
  const packs = item.packs
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(\d{1,10})\s*(?:for|x|@)\s*(\S+)$/i.exec(s);
      return m ? { size: Number(m[1]), price: m[2] } : { size: s, price: "" };
    });
  if (unit === "" && !packs.length) return null;
  const cost = {};
  if (unit !== "") cost.unit = unit;
  if (packs.length) cost.packs = packs;
  return cost;
}

/**
 * `rowsEditor({items, tiers}, locked)` -> {node, read()}. `read()` returns
 * `{items: [{name, base_price}], tiers: [{min_qty, prices, reward}]}` with
 * the typed strings; quantities are parsed by the caller.
 */
export function rowsEditor(initial, locked) {
  const state = {
    items: initial.items.map((i) => ({ name: i.name, base_price: i.base_price, unit_cost: i.cost?.unit ?? "", packs: packsText(i.cost) })),
    tiers: initial.tiers.map((t) => ({ min_qty: String(t.min_qty), prices: [...t.prices], reward: t.reward ?? "" })),
  };
  if (!state.items.length) state.items.push({ name: "", base_price: "", unit_cost: "", packs: "" });

  const itemsBox = el("div", { class: "rows" });
  const tiersBox = el("div", { class: "rows" });
  const value = (id) => document.getElementById(id)?.value ?? "";

  function sync() {
    if (!itemsBox.isConnected) return;
    state.items = state.items.map((_, i) => ({
      name: value(`item-name-${i}`),
      base_price: value(`item-price-${i}`),
      unit_cost: value(`item-unit-cost-${i}`),
      packs: value(`item-packs-${i}`),
    }));
    state.tiers = state.tiers.map((_, t) => ({
      min_qty: value(`tier-min-${t}`),
      prices: state.items.map((__, i) => value(`tier-price-${t}-${i}`)),
      reward: value(`tier-reward-${t}`),
    }));
  }

  const itemLabel = (i) => state.items[i].name.trim() || `Item ${i + 1}`;

  function renderItems() {
    const rows = state.items.map((item, i) =>
      el(
        "tr",
        { "data-field": `items[${i}]` },
        el("td", { class: "cell", "data-field": `items[${i}].name` }, text(`item-name-${i}`, item.name, { "aria-labelledby": `items-h-name item-n-${i}`, oninput: renameColumn(i) })),
        el("td", { class: "cell", "data-field": `items[${i}].base_price` }, moneyInput(`item-price-${i}`, item.base_price, { "aria-labelledby": `items-h-price item-n-${i}` })),
        el("td", { class: "cell", "data-field": `items[${i}].cost.unit` }, moneyInput(`item-unit-cost-${i}`, item.unit_cost, { "aria-labelledby": `items-h-unit-cost item-n-${i}`, "data-test": `unit-cost-${i}` })),
        el("td", { class: "cell", "data-field": `items[${i}].cost.packs` }, text(`item-packs-${i}`, item.packs, { "aria-labelledby": `items-h-packs item-n-${i}`, placeholder: "10 for 80.00", "data-test": `packs-${i}` })),
        el(
          "td",
          { class: "cell row-tools" },
          el("span", { id: `item-n-${i}`, class: "sr-only" }, `item ${i + 1}`),
          locked || state.items.length < 2
            ? null
            : el("button", { type: "button", class: "link danger-text", "data-test": `remove-item-${i}`, "aria-label": `Remove item ${i + 1}`, onclick: () => removeItem(i) }, "Remove"),
        ),
      ),
    );
    fill(
      itemsBox,
      el(
        "div",
        { class: "table-wrap" },
        el(
          "table",
          { class: "grid" },
          el("thead", {}, el("tr", {}, el("th", { id: "items-h-name" }, "Name"), el("th", { id: "items-h-price", class: "num" }, "Base price"), el("th", { id: "items-h-unit-cost", class: "num", title: "What the merchant charges you for one unit (optional)" }, "Your unit cost"), el("th", { id: "items-h-packs", title: "Packs the merchant sells, e.g. 10 for 80.00, 24 for 180.00 (optional)" }, "Packs (size for price)"), el("th", {}, el("span", { class: "sr-only" }, "Actions")))),
          el("tbody", {}, rows),
        ),
      ),
      locked ? null : el("button", { type: "button", class: "secondary", "data-test": "add-item", onclick: addItem }, "Add item"),
    );
  }

  function renameColumn(i) {
    return (e) => {
      state.items[i].name = e.target.value;
      const th = document.getElementById(`tier-col-${i}`);
      if (th) th.textContent = itemLabel(i);
    };
  }

  function renderTiers() {
    const head = el(
      "tr",
      {},
      el("th", { scope: "col" }, "Tier"),
      el("th", { scope: "col", id: "tiers-h-min", class: "num" }, "Min qty"),
      state.items.map((_, i) => el("th", { scope: "col", id: `tier-col-${i}`, class: "num" }, itemLabel(i))),
      el("th", { scope: "col", id: "tiers-h-reward" }, "Reward"),
      el("th", {}, el("span", { class: "sr-only" }, "Actions")),
    );
    const rows = state.tiers.map((tier, t) =>
      el(
        "tr",
        { "data-field": `tiers[${t}]` },
        el("th", { scope: "row", id: `tier-row-${t}` }, `Tier ${t + 1}`),
        el("td", { class: "cell", "data-field": `tiers[${t}].min_qty` }, text(`tier-min-${t}`, tier.min_qty, { inputmode: "numeric", class: "num-input qty", "aria-labelledby": `tier-row-${t} tiers-h-min` })),
        state.items.map((_, i) =>
          el("td", { class: "cell", "data-field": `tiers[${t}].prices[${i}]` }, moneyInput(`tier-price-${t}-${i}`, tier.prices[i], { "aria-labelledby": `tier-row-${t} tier-col-${i}` })),
        ),
        el("td", { class: "cell", "data-field": `tiers[${t}].reward` }, text(`tier-reward-${t}`, tier.reward, { "aria-labelledby": `tier-row-${t} tiers-h-reward` })),
        el(
          "td",
          { class: "cell row-tools" },
          locked ? null : el("button", { type: "button", class: "link danger-text", "data-test": `remove-tier-${t}`, "aria-label": `Remove tier ${t + 1}`, onclick: () => removeTier(t) }, "Remove"),
        ),
      ),
    );
    fill(
      tiersBox,
      state.tiers.length
        ? el("div", { class: "table-wrap" }, el("table", { class: "grid" }, el("thead", {}, head), el("tbody", {}, rows)))
        : el("p", { class: "empty" }, "No tiers: everyone pays the base price once the minimum is reached."),
      locked
        ? null
        : el("button", { type: "button", class: "secondary", "data-test": "add-tier", disabled: state.tiers.length >= MAX_TIERS, onclick: addTier }, "Add tier"),
      locked ? null : el("span", { class: "hint inline" }, `Up to ${MAX_TIERS} tiers; thresholds count all items together.`),
    );
  }

  function render(focusId) {
    renderItems();
    renderTiers();
    if (focusId) document.getElementById(focusId)?.focus();
  }

  function addItem() {
    sync();
    state.items.push({ name: "", base_price: "", unit_cost: "", packs: "" });
    state.tiers.forEach((t) => t.prices.push(""));
    render(`item-name-${state.items.length - 1}`);
  }
  function removeItem(i) {
    sync();
    state.items.splice(i, 1);
    state.tiers.forEach((t) => t.prices.splice(i, 1));
    render(`item-name-${Math.max(i - 1, 0)}`);
  }
  function addTier() {
    sync();
    state.tiers.push({ min_qty: "", prices: state.items.map(() => ""), reward: "" });
    render(`tier-min-${state.tiers.length - 1}`);
  }
  function removeTier(t) {
    sync();
    state.tiers.splice(t, 1);
    render(state.tiers.length ? `tier-min-${Math.max(t - 1, 0)}` : null);
    if (!state.tiers.length) tiersBox.querySelector("[data-test=add-tier]")?.focus();
  }

  render();
  const node = el(
    "div",
    { class: "rows-editor" },
    el("fieldset", { "data-field": "items", disabled: locked }, el("legend", {}, "Items"), itemsBox),
    el("fieldset", { "data-field": "tiers", disabled: locked }, el("legend", {}, "Tiers"), tiersBox),
  );
  return {
    node,
    read() {
      sync();
      return { items: state.items.map((i) => ({ ...i })), tiers: state.tiers.map((t) => ({ ...t, prices: [...t.prices] })) };
    },
  };
}
