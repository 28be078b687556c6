// The back end's commands, one function each (generated into commands.js
// from the core's command list), and what the shell adds: the system's file
// dialogs and its events.

import { call, tauri } from "./ipc.js";

export { call };
export * from "./commands.js";

/** The database changed (another process, or overdue settlement). */
export const onChanged = (cb) => tauri().event.listen("bookrun://changed", cb);

/** A notification was delivered: `cb(event)` with the event record. */
export const onNotification = (cb) =>
  tauri().event.listen("bookrun://notification", (e) => cb(e.payload));
