import { expect } from "vitest";
import WebSocket from "ws";
import { requestVia } from "./http-client.js";

export interface ViteTarget {
  /** A loopback port: the container's published port, or the edge's. */
  port: number;
  /** The Host header a browser would send (defaults to 127.0.0.1:<port>). */
  host?: string;
  headers?: Record<string, string>;
}

const hostOf = (t: ViteTarget) => t.host ?? `127.0.0.1:${t.port}`;

/** The source of /@vite/client: it carries the HMR token and how the browser finds the socket. */
export async function viteClient(t: ViteTarget): Promise<string> {
  const res = await requestVia(t.port, hostOf(t), "/@vite/client", { headers: t.headers ?? {} });
  expect(res.status).toBe(200);
  return res.body;
}

export type HmrMessage = { type: string; updates?: { type: string; path: string }[] };

/** Opens the HMR WebSocket as Vite's client does: subprotocol vite-hmr and the client's token. */
export async function hmrSocket(
  t: ViteTarget,
): Promise<{ ws: WebSocket; next(type: string, timeoutMs: number): Promise<HmrMessage> }> {
  const token = /const wsToken = "([^"]+)"/.exec(await viteClient(t))?.[1];
  expect(token, "the HMR token in /@vite/client").toBeTruthy();
  const ws = new WebSocket(`ws://127.0.0.1:${t.port}/?token=${token}`, ["vite-hmr"], {
    headers: { ...t.headers, host: hostOf(t) },
  });
  const queue: HmrMessage[] = [];
  let wake: (() => void) | undefined;
  ws.on("message", (data) => {
    queue.push(JSON.parse(String(data)));
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HMR socket refused: ${res.statusCode}`)));
    ws.once("error", reject);
  });
  expect(ws.protocol).toBe("vite-hmr");

  /** The next message of `type`, skipping others (pings, connected, …). */
  async function next(type: string, timeoutMs: number): Promise<HmrMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = queue.shift();
      if (m?.type === type) return m;
      if (m) continue;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no HMR "${type}" message within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, remaining);
        wake = () => {
          clearTimeout(timer);
          r();
        };
      });
    }
  }
  return { ws, next };
}
