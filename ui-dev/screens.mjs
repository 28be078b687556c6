// Dev harness only: takes the review screenshots into $SHOTS (default /tmp/shots).
//   node --experimental-websocket ui-dev/screens.mjs
// Expects serve.py on 127.0.0.1:8765 with a fresh demo database.

import { Browser } from "./cdp.mjs";

const BASE = process.env.BASE || "http://127.0.0.1:8765/";
const OUT = process.env.SHOTS || "/tmp/shots";
const b = await Browser.launch();
const shot = (name, full) => b.shot(`${OUT}/${name}.png`, full);

try {
  await b.open(`${BASE}#/deals`);
  await shot("01-deals");

  await b.open(`${BASE}#/deals/1`, 2000);
  await shot("02-deal", true);
  await shot("02-deal-top");

  await b.click("[data-test=cancel-4]");
  await b.waitFor("[data-test=cancel-dialog]");
  await shot("03-cancel-dialog");
  await b.key("Escape", "Escape", 27);

  await b.click("[data-test=end-deal]");
  await shot("04-end-dialog");
  await b.key("Escape", "Escape", 27);

  await b.open(`${BASE}#/deals/new`);
  await b.type("#deal-title", "Bikes");
  await b.type("#item-name-0", "city bike");
  await b.type("#item-price-0", "400");
  await b.click("[data-test=add-item]");
  await b.type("#item-name-1", "e-bike");
  await b.type("#item-price-1", "-5");
  await b.click("[data-test=add-tier]");
  await b.type("#tier-min-0", "10");
  await b.type("#tier-price-0-0", "380");
  await b.type("#tier-price-0-1", "1200");
  await b.type("#deal-closes-at", "");
  await b.eval(`(() => { const e = document.getElementById("deal-closes-at"); e.value = "2027-03-01T18:00"; })()`);
  await b.click("[data-test=save-deal]");
  await shot("05-editor-error");
  await b.eval(`document.querySelector("[id='item-price-1']").scrollIntoView({block: "center"})`);
  await shot("05-editor-error-field");

  await b.open(`${BASE}#/participants`);
  await b.type("#participant-name", "<img src=x onerror=alert(1)>");
  await b.type("#participant-email", "mallory@example.org");
  await b.type("#participant-note", "<script>alert(2)</script>");
  await b.key("Enter");
  await shot("06-participants");

  await b.open(`${BASE}#/participants/1`, 1500);
  await shot("07-statement", true);

  await b.open(`${BASE}#/notifications`);
  await shot("08-notifications");

  await b.dark(true);
  await b.open(`${BASE}#/deals/1`, 2000);
  await shot("09-dark-deal", true);
  await b.open(`${BASE}#/deals/new`);
  await shot("10-dark-editor");
  await b.open(`${BASE}#/participants/2`, 1500);
  await shot("11-dark-statement");
  await b.dark(false);

  console.log("alert() dialogs:", b.dialogs.length ? b.dialogs : "none");
  console.log(b.console.join("\n") || "console: clean");
} finally {
  b.close();
}
