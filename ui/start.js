// The page's entry. The deals list is what a start shows, so it is asked
// for first, while the shell's modules load (the start-up's `data` part
// overlaps its `scripts` part); then the shell.

import { askEarly } from "./ipc.js";

const path = location.hash.replace(/^#/, "") || "/deals";
if (path === "/deals" && window.__TAURI__) askEarly("list_deals", {});

import("./app.js").catch((e) => {
  const region = document.getElementById("error");
  region.textContent = `The window could not load its scripts: ${e && e.message ? e.message : e}`;
  region.hidden = false;
});
