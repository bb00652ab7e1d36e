// Project events streams (issue #16): 200 open `GET /projects/{id}/events` streams on one
// control-plane process (10 on each of 20 projects), its database's transactions per second
// while nothing changes, and the delay from a change written straight into the database (as
// another replica would) to the event on every stream. Measured twice in the same run: with
// CHANGE_FEED=false (each stream re-reads every 2 s: the design before LISTEN/NOTIFY) and with
// the change feed (one LISTEN connection, a 30 s safety re-read). The reconciler is off
// (RECONCILER_ENABLED=false), so what is counted is the API process's own reading.
import http from "node:http";
import pg from "pg";
import { apiToken, sleep, startControlPlane } from "./lib/control-plane.mjs";
import { median, table } from "./lib/measure.mjs";

const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);
const PROJECTS = 20;
const WINDOW_S = Number(process.env.BENCH_DURATION ?? 15);
const CHANGES = 5;
// PostgreSQL flushes a backend's counters up to 10 s late when it goes idle: let bursts settle.
const SETTLE_MS = 11_000;

/** One SSE stream on loopback; `seen(marker)` resolves when a project event carries it. */
function openStream(port, id, authorization) {
  let buf = "";
  const waiting = new Map();
  const req = http.get({
    host: "127.0.0.1",
    port,
    path: `/api/v1/projects/${id}/events`,
    headers: { authorization, accept: "text/event-stream" },
    agent: false,
  });
  const opened = new Promise((resolve, reject) => {
    req.on("error", reject);
    req.on("response", (res) => {
      if (res.statusCode !== 200) reject(new Error(`events stream: ${res.statusCode}`));
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        buf += chunk;
        if (buf.includes("event: project")) resolve();
        for (const [marker, done] of waiting) {
          if (buf.includes(`"statusMessage":"${marker}"`)) {
            waiting.delete(marker);
            done(performance.now());
          }
        }
        buf = buf.slice(-4096);
      });
    });
  });
  return {
    opened,
    seen: (marker) => new Promise((resolve) => waiting.set(marker, resolve)),
    close: () => req.destroy(),
  };
}

async function transactions(c) {
  const { rows } = await c.query(
    "SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = current_database()",
  );
  return Number(rows[0].n);
}

/** Transactions per second over the window, less this sampler's own two. */
async function rate(c, seconds) {
  const before = await transactions(c);
  await sleep(seconds * 1000);
  return ((await transactions(c)) - before - 1) / seconds;
}

async function measure(mode) {
  const label = `bench-ev-${mode}-${process.pid}`;
  const env = { RECONCILER_ENABLED: "false", CHANGE_FEED: mode === "notify" ? "true" : "false" };
  const cp = await startControlPlane(label, env);
  const c = new pg.Client({ connectionString: cp.databaseUrl });
  await c.connect();
  const streams = [];
  try {
    const authorization = await apiToken(cp.databaseUrl);
    const owner = (await c.query(`SELECT id FROM "User" WHERE email = 'bench@localhost'`)).rows[0].id;
    const template = (await c.query(`SELECT id FROM "Template" LIMIT 1`)).rows[0].id;
    const ids = [];
    for (let i = 0; i < PROJECTS; i++) {
      const { rows } = await c.query(
        `INSERT INTO "Project" (id, "ownerId", "templateId", name, slug, "desiredState", status, "updatedAt")
         VALUES (gen_random_uuid(), $1, $2, $3, $3, 'stopped', 'stopped', now()) RETURNING id`,
        [owner, template, `ev-${i}`],
      );
      ids.push(rows[0].id);
    }
    await sleep(SETTLE_MS);
    const idle = await rate(c, WINDOW_S);
    for (let i = 0; i < STREAMS; i++) streams.push(openStream(cp.appPort, ids[i % PROJECTS], authorization));
    await Promise.all(streams.map((s) => s.opened));
    await sleep(SETTLE_MS);
    const open = await rate(c, WINDOW_S);
    const delays = [];
    for (let k = 0; k < CHANGES; k++) {
      const marker = `bench-${k}`;
      const seen = streams.map((s) => s.seen(marker));
      const t0 = performance.now();
      await c.query(`UPDATE "Project" SET "statusMessage" = $1 WHERE "ownerId" = $2`, [marker, owner]);
      for (const at of await Promise.all(seen)) delays.push(at - t0);
      await sleep(mode === "poll" ? 2100 : 300);
    }
    delays.sort((a, b) => a - b);
    return {
      mode: mode === "poll" ? "re-read every 2 s (CHANGE_FEED=false)" : "LISTEN/NOTIFY (change feed)",
      "tx/s, 0 streams": idle.toFixed(1),
      [`tx/s, ${STREAMS} streams`]: open.toFixed(1),
      "change→event median ms": Math.round(median(delays)),
      "p99 ms": Math.round(delays[Math.floor(delays.length * 0.99)]),
      "max ms": Math.round(delays.at(-1)),
    };
  } finally {
    for (const s of streams) s.close();
    await c.end();
    await cp.stop();
  }
}

export async function benchEvents() {
  const rows = [await measure("poll"), await measure("notify")];
  console.log(
    `\n${STREAMS} events streams on ${PROJECTS} projects, one process; transactions/s from pg_stat_database over ${WINDOW_S} s; ` +
      `${CHANGES} changes of all ${PROJECTS} projects written straight into the database`,
  );
  table(rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEvents();
