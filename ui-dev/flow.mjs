// Dev harness only: a click-through of the main flows with the data-test
// hooks, asserting what the screens show. Screenshots go to $SHOTS.
//   node --experimental-websocket ui-dev/flow.mjs
// Expects serve.py on 127.0.0.1:8765 with a fresh demo database.

import { Browser } from "./cdp.mjs";

const BASE = process.env.BASE || "http://127.0.0.1:8765/";
const OUT = process.env.SHOTS || "/tmp/shots";
const b = await Browser.launch({ port: Number(process.env.CDP_PORT) || 9333 });
let failures = 0;
const check = (what, ok, got) => {
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : `: got ${JSON.stringify(got)}`}`);
};
const t = (sel) => b.text(sel);
// The demo participants the flow books for, by id.
const NAMES = { 1: "Ann Archer", 2: "Ben Brook" };
const dealIdFromHash = async () => Number((await b.eval("location.hash")).match(/deals\/(\d+)/)[1]);

try {
  // A manual-approval deposit deal with two tiers, through the editor.
  await b.open(`${BASE}#/deals`);
  await b.click("[data-test=new-deal]");
  await b.type("#deal-title", "Bikes");
  await b.type("#deal-currency", "eur");
  await b.eval(`document.getElementById("deal-closes-at").value = "2030-03-01T18:00"`);
  await b.select("#deal-payment-mode", "deposit");
  await b.type("#deal-deposit-percent", "10");
  await b.type("#deal-min-qty", "2");
  await b.select("#deal-approval", "manual");
  await b.type("#deal-pickup-points", "Depot");
  await b.type("#item-name-0", "city bike");
  await b.type("#item-price-0", "400");
  await b.click("[data-test=add-item]");
  await b.type("#item-name-1", "e-bike");
  await b.type("#item-price-1", "1500");
  await b.click("[data-test=add-tier]");
  await b.type("#tier-min-0", "3");
  await b.type("#tier-price-0-0", "380");
  await b.type("#tier-price-0-1", "1600");
  await b.click("[data-test=save-deal]");
  check("tier price above base shows next to tiers[0].prices[1]", !!(await t("#tier-price-0-1-error")), await t("[data-test=error]"));
  check("message inside [data-field] cell", /base price/.test(await t('[data-field="tiers[0].prices[1]"]')), await t('[data-field="tiers[0].prices[1]"]'));
  check("summary in the alert region", /Tier 1, price of item 2/.test(await t("[data-test=error]")), await t("[data-test=error]"));
  await b.shot(`${OUT}/20-editor-tier-error.png`);
  await b.type("#tier-price-0-1", "1450");
  await b.click("[data-test=add-tier]");
  await b.type("#tier-min-1", "5");
  await b.type("#tier-price-1-0", "350");
  await b.type("#tier-price-1-1", "1400");
  await b.type("#tier-reward-1", "Free helmets");
  await b.click("[data-test=save-deal]");
  await b.waitFor("[data-test=deal-status]");
  const id = await dealIdFromHash();
  check("saved as draft", (await t("[data-test=deal-status]")) === "draft", await t("[data-test=deal-status]"));

  // Edit the draft: change the title only.
  await b.click("[data-test=edit-deal]");
  await b.waitFor("#deal-title");
  await b.type("#deal-title", "Bikes 2030");
  await b.key("Enter");
  await b.waitFor("[data-test=open-deal]");
  check("edit saved", (await t("h1")) === "Bikes 2030", await t("h1"));
  await b.click("[data-test=open-deal]");
  check("opened", (await t("[data-test=deal-status]")) === "open", await t("[data-test=deal-status]"));
  check("unlock text at level -1", (await t("[data-test=unlock-text]")) === "2 more units to reach the minimum", await t("[data-test=unlock-text]"));

  const markerX = () => b.eval(`document.querySelector("[data-test=ladder] [data-test=approved-marker]").getAttribute("x1")`);
  const x0 = await markerX();
  // The Book form's participant search (a combobox): type, pick the option.
  const choose = async (id, name) => {
    await b.type("#book-participant", name);
    await b.waitFor(`[data-test=participant-option-${id}]`);
    await b.click(`[data-test=participant-option-${id}]`);
  };
  // Book for Ann (2 city bikes) and Ben (1 e-bike), submitting with Enter.
  await choose(1, NAMES[1]);
  await b.select("#book-item", "city bike");
  await b.type("#book-quantity", "2");
  await b.key("Enter");
  await choose(2, NAMES[2]);
  await b.select("#book-item", "e-bike");
  await b.type("#book-quantity", "1");
  await b.click("[data-test=book]");
  await b.waitFor("[data-test=approve-6]");
  check("two pending in queue", !!(await t("[data-test=approve-5]")) && !!(await t("[data-test=approve-6]")), null);
  await b.shot(`${OUT}/21-queue.png`, true);
  await b.click("[data-test=approve-5]");
  await b.click("[data-test=approve-6]");
  check("approved marker moved", x0 !== (await markerX()), x0);
  check("approved qty 3", (await t("[data-test=approved-qty]")) === "3", await t("[data-test=approved-qty]"));
  check("level tier 1", (await b.eval(`document.querySelector("[data-test=deal-level]").dataset.level`)) === "1", await t("[data-test=deal-level]"));
  check("unlock text tier 2", (await t("[data-test=unlock-text]")) === "2 more units unlock tier 2", await t("[data-test=unlock-text]"));
  await b.shot(`${OUT}/22-bikes.png`, true);

  // Cancel Ben's booking: the step-down warning.
  await b.click("[data-test=cancel-6]");
  await b.waitFor("[data-test=cancel-dialog]");
  const warning = await t("[data-test=step-down-warning]");
  check("step-down warning", /from tier 1 to the minimum: Ann Archer pays 40\.00 EUR more/.test(warning), warning);
  check("reputation penalty announced", /1 reputation penalty/.test(warning), warning);
  await b.click("#cancel-by-organizer");
  await b.eval("new Promise(r => setTimeout(r, 600))");
  check("no penalty when by organizer", /No reputation penalty/.test(await t("[data-test=step-down-warning]")), await t("[data-test=step-down-warning]"));
  await b.shot(`${OUT}/23-cancel-bikes.png`);
  await b.click("[data-test=confirm-cancel]");
  check("cancelled", (await t("[data-test=booking-6] .badge")) === "cancelled", await t("[data-test=booking-6] .badge"));
  check("level back to minimum", (await t("[data-test=deal-level]")) === "Minimum", await t("[data-test=deal-level]"));

  // A refused booking shows in the alert region.
  await choose(1, NAMES[1]);
  await b.type("#book-quantity", "0");
  await b.click("[data-test=book]");
  check("quantity error next to field", !!(await t("#book-quantity-error")), await t("[data-test=error]"));

  // End the deal.
  await b.click("[data-test=end-deal]");
  await b.click("[data-test=confirm-end]");
  check("settled", (await t("[data-test=deal-status]")) === "settled", await t("[data-test=deal-status]"));
  await b.shot(`${OUT}/24-settled.png`, true);

  // Statement: record a payment, reverse it.
  await b.open(`${BASE}#/participants/1`, 1500);
  await b.select("#statement-currency", "EUR");
  await b.type("#payment-amount", "12.345");
  await b.click("[data-test=record-payment]");
  check("too many decimals refused at the field", !!(await t("#payment-amount-error")), await t("[data-test=error]"));
  await b.type("#payment-amount", "100");
  await b.type("#payment-method", "cash");
  await b.key("Enter");
  const rows = await b.eval(`[...document.querySelectorAll("[data-test^=entry-]")].map(r => r.dataset.test + " " + r.querySelector(".kind").textContent + " " + r.querySelector(".amount").textContent)`);
  check("payment listed", rows.some((r) => / payment 100\.00$/.test(r)), rows);
  const payId = rows.find((r) => / payment /.test(r)).split(" ")[0].replace("entry-", "");
  await b.click(`[data-test=reverse-${payId}]`);
  await b.click("[data-test=confirm-reverse]");
  check("reversed", /reversed by #/.test(await t(`[data-test=entry-${payId}]`)), await t(`[data-test=entry-${payId}]`));
  await b.shot(`${OUT}/25-statement-eur.png`, true);

  // Search participants.
  await b.open(`${BASE}#/participants`);
  await b.type("#participant-search", "cleo");
  await b.eval("new Promise(r => setTimeout(r, 800))");
  const found = await b.eval(`[...document.querySelectorAll("[data-test^=participant-]")].map(r => r.dataset.test).filter(x => /^participant-\\d+$/.test(x))`);
  check("search finds Cleo only", JSON.stringify(found) === '["participant-3"]', found);

  await b.open(`${BASE}#/notifications`);
  const notes = await b.eval(`document.querySelectorAll("[data-test^=notification-]").length`);
  check("notifications listed", notes >= 4, notes);
  await b.shot(`${OUT}/26-notifications.png`);

  // Hostile text everywhere stays text.
  const evil = "<img src=x onerror=alert(1)>";
  const created = await b.eval(`window.__TAURI__.core.invoke("create_deal", {title: ${JSON.stringify(evil)}, currency: "USD", closes_at: "2031-01-01T00:00:00Z", min_qty: 1, payment: {mode: "full"}, approval: "auto", description: "<script>alert(3)</script>", items: [{name: "<svg onload=alert(2)>", base_price: "5"}], tiers: [], pickup_points: ["<b>bold</b>"]}).then(d => d.id)`);
  await b.eval(`window.__TAURI__.core.invoke("open_deal", {deal_id: ${created}})`);
  await b.open(`${BASE}#/deals/${created}`, 1500);
  check("hostile title shown as text", (await t("h1")) === evil, await t("h1"));
  check("no injected elements", (await b.eval(`document.querySelectorAll("main img, main script, main svg[onload], main b").length`)) === 0, null);
  await b.open(`${BASE}#/deals`);
  await b.shot(`${OUT}/27-hostile-deals.png`);

  console.log("alert() dialogs:", b.dialogs.length ? b.dialogs : "none");
  console.log(b.console.filter((l) => !/status of 400/.test(l)).join("\n") || "console: clean (400s are refused commands)");
} finally {
  b.close();
}
if (b.dialogs.length) failures++;
console.log(failures ? `${failures} FAILED` : "all passed");
process.exitCode = failures ? 1 : 0;
