// The back end's commands, one function each (generated into commands.js
// from the core's command list), and what the shell adds: the system's file
// dialogs and its events.

import { call, tauri } from "./ipc.js";

export { call };
export * from "./commands.js";

/**
 * The system's save dialog (tauri-plugin-dialog): the chosen path, or null.
 * The end-to-end test cannot drive the native GTK dialog through WebDriver
 * (and the page cannot replace `invoke`: Tauri freezes it), so it sets
 * `window.bookrunTestSaveDir` and exports go there under the suggested name.
 */
export const saveDialog = (defaultPath, format) =>
  typeof window.bookrunTestSaveDir === "string"
    ? Promise.resolve(`${window.bookrunTestSaveDir}/${defaultPath}`)
    : call("plugin:dialog|save", {
        options: { defaultPath, filters: [{ name: format.toUpperCase(), extensions: [format] }] },
      });

/**
 * The system's open dialog for one file: the chosen path, or null. The
 * end-to-end test answers it with `window.bookrunTestOpenPath` (as above).
 */
export const openDialog = (extension) =>
  typeof window.bookrunTestOpenPath === "string"
    ? Promise.resolve(window.bookrunTestOpenPath)
    : call("plugin:dialog|open", {
        options: {
          multiple: false,
          directory: false,
          filters: [
            { name: "Book & Run backup", extensions: [extension] },
            { name: "All files", extensions: ["*"] },
          ],
        },
      });

/** The database changed (another process, or overdue settlement). */
export const onChanged = (cb) => tauri().event.listen("bookrun://changed", cb);

/** A notification was delivered: `cb(event)` with the event record. */
export const onNotification = (cb) =>
  tauri().event.listen("bookrun://notification", (e) => cb(e.payload));
