// Dev harness only: drives headless Chromium over the DevTools protocol to
// click, type and take screenshots of the UI served by serve.py.
// Needs Node 20 with --experimental-websocket (or Node >= 22).

import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Browser {
  static async launch({ port = 9333, width = 1024, height = 700 } = {}) {
    const profile = mkdtempSync(join(tmpdir(), "bookrun-chrome-"));
    const proc = spawn("chromium", [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
      `--user-data-dir=${profile}`, `--remote-debugging-port=${port}`, `--window-size=${width},${height}`, "about:blank",
    ], { stdio: "ignore" });
    let targets = [];
    for (let i = 0; i < 50 && !targets.length; i++) {
      await sleep(200);
      try {
        targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()).filter((t) => t.type === "page");
      } catch { /* not up yet */ }
    }
    const b = new Browser(proc, new WebSocket(targets[0].webSocketDebuggerUrl));
    await new Promise((r) => b.ws.addEventListener("open", r));
    await b.send("Page.enable");
    await b.send("Runtime.enable");
    await b.send("Log.enable");
    await b.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
    return b;
  }

  constructor(proc, ws) {
    this.proc = proc;
    this.ws = ws;
    this.id = 0;
    this.waiting = new Map();
    this.console = [];
    this.dialogs = [];
    ws.addEventListener("message", (m) => {
      const msg = JSON.parse(m.data);
      if (msg.id && this.waiting.has(msg.id)) {
        const { resolve, reject } = this.waiting.get(msg.id);
        this.waiting.delete(msg.id);
        msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
      } else if (msg.method === "Runtime.consoleAPICalled") {
        this.console.push(`${msg.params.type}: ${msg.params.args.map((a) => a.value ?? a.description).join(" ")}`);
      } else if (msg.method === "Log.entryAdded") {
        this.console.push(`${msg.params.entry.level}: ${msg.params.entry.text}`);
      } else if (msg.method === "Runtime.exceptionThrown") {
        this.console.push(`exception: ${msg.params.exceptionDetails.exception?.description}`);
      } else if (msg.method === "Page.javascriptDialogOpening") {
        this.dialogs.push(msg.params.message);
        this.send("Page.handleJavaScriptDialog", { accept: true });
      }
    });
  }

  send(method, params = {}) {
    const id = ++this.id;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  async eval(expression) {
    const r = await this.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.exception?.description}`);
    return r.result.value;
  }

  async open(url, wait = 1200) {
    await this.send("Page.navigate", { url });
    await sleep(wait);
  }

  async dark(on) {
    await this.send("Emulation.setEmulatedMedia", { features: [{ name: "prefers-color-scheme", value: on ? "dark" : "light" }] });
  }

  async waitFor(selector, timeout = 5000) {
    for (let t = 0; t < timeout; t += 100) {
      if (await this.eval(`!!document.querySelector(${JSON.stringify(selector)})`)) return;
      await sleep(100);
    }
    throw new Error(`timeout waiting for ${selector}`);
  }

  async click(selector) {
    await this.waitFor(selector);
    await this.eval(`document.querySelector(${JSON.stringify(selector)}).click()`);
    await sleep(500);
  }

  async type(selector, text) {
    await this.waitFor(selector);
    await this.eval(`(() => { const e = document.querySelector(${JSON.stringify(selector)}); e.focus(); e.select?.(); })()`);
    await this.send("Input.insertText", { text });
  }

  async select(selector, value) {
    await this.eval(`(() => { const e = document.querySelector(${JSON.stringify(selector)}); e.value = ${JSON.stringify(value)}; e.dispatchEvent(new Event("change", {bubbles: true})); })()`);
    await sleep(300);
  }

  async key(key, code = key, keyCode = 13) {
    await this.send("Input.dispatchKeyEvent", { type: "keyDown", key, code, windowsVirtualKeyCode: keyCode, text: key === "Enter" ? "\r" : undefined });
    await this.send("Input.dispatchKeyEvent", { type: "keyUp", key, code, windowsVirtualKeyCode: keyCode });
    await sleep(500);
  }

  async text(selector) {
    return this.eval(`document.querySelector(${JSON.stringify(selector)})?.innerText ?? null`);
  }

  async shot(path, full = false) {
    const opts = { format: "png" };
    if (full) {
      const h = await this.eval("document.documentElement.scrollHeight");
      opts.captureBeyondViewport = true;
      opts.clip = { x: 0, y: 0, width: 1024, height: h, scale: 1 };
    }
    const r = await this.send("Page.captureScreenshot", opts);
    writeFileSync(path, Buffer.from(r.data, "base64"));
    const overflow = await this.eval("document.documentElement.scrollWidth > document.documentElement.clientWidth");
    console.log(`${path}${overflow ? "  !! horizontal overflow" : ""}`);
  }

  close() {
    this.ws.close();
    this.proc.kill();
  }
}
