// The page's first script, beside the shell (app.js, whose modules the
// page loads meanwhile). The deals list is what a start shows, so it is
// asked for now: its answer is on its way while the shell's modules load
// (the start-up's `data` part overlaps its `scripts` part).

import { routePath } from "./dom.js";
import { askEarly } from "./ipc.js";

if (routePath() === "/deals" && window.__TAURI__) askEarly("list_deals", {});

// A shell that cannot load says so instead of leaving the window blank.
document.querySelector('script[src="app.js"]')?.addEventListener("error", () => {
  const region = document.getElementById("error");
  region.textContent = "The window could not load its scripts. Reinstalling Book & Run should repair it.";
  region.hidden = false;
});
