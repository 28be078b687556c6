// The one way the window talks to the back end: `invoke` of a command with
// its JSON arguments. Failures reject with `{code, message, field?}`.

export function tauri() {
  const t = window.__TAURI__;
  if (!t || !t.core) {
    throw { code: "storage", message: "The Book & Run back end is not available in this window." };
  }
  return t;
}

/** Runs one command. */
export async function call(name, args = {}) {
  try {
    return await tauri().core.invoke(name, args);
  } catch (err) {
    if (err && typeof err === "object" && "message" in err) throw err;
    throw { code: "storage", message: String(err) };
  }
}
