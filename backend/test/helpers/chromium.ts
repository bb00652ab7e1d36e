import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface BrowserPage {
  goto(url: string): Promise<void>;
  /** Evaluates an expression in the page; returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

/**
 * Headless Chromium driven over the DevTools protocol with `ws` (no browser download, no
 * playwright): enough to load a page, read the DOM and click.
 */
export async function openBrowserPage(): Promise<BrowserPage> {
  const profile = await mkdtemp(path.join(os.tmpdir(), "devsanctum-chromium-"));
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const browserUrl = await new Promise<string>((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err}`)), 20_000);
    child.stderr?.on("data", (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", () => reject(new Error(`chromium exited:\n${err}`)));
  });
  const { port } = new URL(browserUrl);
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    type: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = targets.find((t) => t.type === "page");
  if (!target) throw new Error("chromium has no page");
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let nextId = 0;
  const pending = new Map<number, (msg: { result?: unknown; error?: { message: string } }) => void>();
  const loaded: Array<() => void> = [];
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data));
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
    if (msg.method === "Page.loadEventFired") for (const fn of loaded.splice(0)) fn();
  });
  const send = (method: string, params: object = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, (msg) => {
        pending.delete(id);
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
        else resolve(msg.result as Record<string, unknown>);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Page.enable");
  return {
    async goto(url) {
      const load = new Promise<void>((r) => loaded.push(r));
      await send("Page.navigate", { url });
      await load;
    },
    async evaluate<T>(expression: string) {
      const r = (await send("Runtime.evaluate", { expression, returnByValue: true })) as {
        result: { value: T };
        exceptionDetails?: { text: string };
      };
      if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.text}`);
      return r.result.value;
    },
    async close() {
      ws.close();
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
      await rm(profile, { recursive: true, force: true });
    },
  };
}
