import { EventEmitter } from "node:events";
import pg from "pg";
import type { Change, ChangedTable, ChangeFeed } from "../../ports/change-feed.port.js";

export const CHANGE_CHANNEL = "devsanctum_changes";

const TABLES = new Set<string>([
  "Project",
  "ServiceInstance",
  "Route",
  "Operation",
  "ProjectAgent",
  "Deployment",
  "Template",
]);

/** "<table>:<project id>" as the trigger writes it; anything else is ignored. */
export function parseChange(payload: string | undefined): Change | null {
  const at = payload?.indexOf(":") ?? -1;
  if (!payload || at < 0) return null;
  const table = payload.slice(0, at);
  if (!TABLES.has(table)) return null;
  return { table: table as ChangedTable, projectId: payload.slice(at + 1) || null };
}

export interface PgChangeFeedOptions {
  log?: { warn(obj: object, msg?: string): void };
  /** Delay before reconnecting after the connection dropped; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

// One dedicated connection per process LISTENs; notifications fan out in memory, so 200 open
// event streams cost no database work until something changes. A dropped connection is
// re-opened with backoff and announced with `resync` (notifications in the gap are lost).
export async function pgChangeFeed(databaseUrl: string, opts: PgChangeFeedOptions = {}): Promise<ChangeFeed> {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  const baseRetry = opts.retryMs ?? 500;
  const maxRetry = opts.maxRetryMs ?? 10_000;
  let client: pg.Client | null = null;
  let closed = false;
  let retry = baseRetry;
  let timer: NodeJS.Timeout | null = null;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: databaseUrl, application_name: "devsanctum-change-feed" });
    c.on("notification", (msg) => {
      const change = msg.channel === CHANGE_CHANNEL ? parseChange(msg.payload) : null;
      if (change) bus.emit("change", change);
    });
    c.on("error", (err) => lost(c, err));
    c.on("end", () => lost(c, new Error("connection ended")));
    await c.connect();
    await c.query(`LISTEN ${CHANGE_CHANNEL}`);
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    retry = baseRetry;
  }

  function lost(c: pg.Client, err: Error) {
    if (client !== c || closed) return;
    client = null;
    c.end().catch(() => {});
    opts.log?.warn({ err: err.message }, "change feed connection lost; reconnecting");
    schedule();
  }

  function schedule() {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      connect().then(
        () => bus.emit("resync"),
        (err: Error) => {
          opts.log?.warn({ err: err.message }, "change feed reconnect failed");
          retry = Math.min(retry * 2, maxRetry);
          schedule();
        },
      );
    }, retry);
    timer.unref();
  }

  await connect();
  return {
    onChange(fn) {
      bus.on("change", fn);
      return () => void bus.off("change", fn);
    },
    onResync(fn) {
      bus.on("resync", fn);
      return () => void bus.off("resync", fn);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
      bus.removeAllListeners();
    },
  };
}
