// The one way the window talks to the back end: `invoke` of a command with
// its JSON arguments. Failures reject with `{code, message, field?}`.

export function tauri() {
  const t = window.__TAURI__;
  if (!t || !t.core) {
    throw { code: "storage", message: "The Book & Run back end is not available in this window." };
  }
  return t;
}

// Reads asked for before the page's modules have loaded (start.js), each
// answered once to the first call with the same name and arguments.
const early = new Map();
const key = (name, args) => `${name} ${JSON.stringify(args)}`;

/** Asks for a read now, so its answer is on its way while the modules load. */
export function askEarly(name, args = {}) {
  early.set(key(name, args), run(name, args));
}

/** Runs one command. */
export function call(name, args = {}) {
  const k = key(name, args);
  const asked = early.get(k);
  if (asked) {
    early.delete(k);
    return asked;
  }
  return run(name, args);
}

async function run(name, args) {
  try {
    return await tauri().core.invoke(name, args);
  } catch (err) {
    if (err && typeof err === "object" && "message" in err) throw err;
    throw { code: "storage", message: String(err) };
  }
}
