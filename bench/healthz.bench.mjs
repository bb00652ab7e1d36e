import path from "node:path";
import { freePort, load, median, startControlPlane, startServer, table } from "./lib/measure.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const duration = Number(process.env.BENCH_DURATION ?? 2);
// This machine's speed drifts by a third within a minute: short rounds, alternating between the
// two servers, and the median of each round's ratio, rather than one long run of each.
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

export async function benchHealthz() {
  const barePort = await freePort();
  const bare = await startServer(process.execPath, [path.join(import.meta.dirname, "servers/bare-fastify.mjs")], {
    env: { PORT: String(barePort) },
    readyUrl: `http://127.0.0.1:${barePort}/healthz`,
  });
  // Logging as deployed (info): request lines are part of what /healthz costs.
  const app = await startControlPlane(ROOT, { env: { LOG_LEVEL: "info" }, label: `bench-hz-${process.pid}` });
  const appPort = app.appPort;
  try {
    const base = [];
    const real = [];
    for (let i = 0; i < rounds; i++) {
      base.push(await load(`http://127.0.0.1:${barePort}/healthz`, { duration }));
      real.push(await load(`http://127.0.0.1:${appPort}/healthz`, { duration }));
    }
    const summary = (runs) => ({
      "req/s": Math.round(median(runs.map((r) => r.rps))),
      "p50 ms": median(runs.map((r) => r.p50)),
      "p99 ms": median(runs.map((r) => r.p99)),
    });
    const rows = [
      { server: "bare Fastify", ...summary(base) },
      { server: "DevSanctum /healthz", ...summary(real) },
    ];
    const ratios = real.map((r, i) => r.rps / base[i].rps);
    console.log(`\nGET /healthz, 50 connections, ${rounds} alternating rounds of ${duration} s (medians)`);
    table(rows);
    console.log(
      `ratio DevSanctum/bare: ${median(ratios).toFixed(2)} of the throughput (rounds: ${ratios.map((r) => r.toFixed(2)).join(", ")}; goal ≥ 0.8)`,
    );
    return rows;
  } finally {
    await app.stop();
    await bare.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchHealthz();
