// Dev harness only: a stand-in for window.__TAURI__ that runs the commands
// through ui-dev/serve.py (the `bookrun` CLI on the same database).
(function () {
  "use strict";
  const listeners = new Map();

  function emit(event, payload) {
    (listeners.get(event) || []).forEach((cb) => {
      try {
        cb({ event, payload });
      } catch (e) {
        console.error(e);
      }
    });
  }

  let lastNotification = null;
  async function deliverNotifications() {
    const res = await fetch("/__dev/invoke", { method: "POST", body: JSON.stringify({ cmd: "notifications", args: { limit: 20 } }) });
    if (!res.ok) return;
    const events = await res.json();
    const newest = events.length ? events[0].id : 0;
    if (lastNotification !== null) {
      events.filter((e) => e.id > lastNotification).reverse().forEach((e) => emit("bookrun://notification", e));
    }
    lastNotification = Math.max(lastNotification ?? 0, newest);
  }

  async function invoke(cmd, args) {
    const res = await fetch("/__dev/invoke", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ cmd, args: args || {} }),
    });
    const body = await res.json();
    if (cmd !== "notifications") deliverNotifications().catch(() => {});
    if (!res.ok) throw body;
    return body;
  }

  let version = null;
  async function poll() {
    try {
      const res = await fetch("/__dev/version");
      const v = (await res.json()).version;
      if (version !== null && v !== version) emit("bookrun://changed", null);
      version = v;
    } catch (e) {
      /* the harness is gone */
    }
  }
  setInterval(poll, 1500);
  poll();

  async function listen(event, cb) {
    if (!listeners.has(event)) listeners.set(event, []);
    listeners.get(event).push(cb);
    return () => listeners.set(event, listeners.get(event).filter((f) => f !== cb));
  }

  window.__TAURI__ = { core: { invoke }, event: { listen } };
})();
