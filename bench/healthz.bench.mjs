import path from "node:path";
import { freePort, load, startControlPlane, startServer, table } from "./lib/measure.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const duration = Number(process.env.BENCH_DURATION ?? 5);

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
    const base = await load(`http://127.0.0.1:${barePort}/healthz`, { duration });
    const real = await load(`http://127.0.0.1:${appPort}/healthz`, { duration });
    const rows = [
      { server: "bare Fastify", "req/s": Math.round(base.rps), "p50 ms": base.p50, "p99 ms": base.p99 },
      { server: "DevSanctum /healthz", "req/s": Math.round(real.rps), "p50 ms": real.p50, "p99 ms": real.p99 },
    ];
    console.log(`\nGET /healthz, 50 connections, ${duration} s after 1 s warm-up`);
    table(rows);
    console.log(`ratio DevSanctum/bare: ${(real.rps / base.rps).toFixed(2)} of the throughput`);
    return rows;
  } finally {
    await app.stop();
    await bare.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchHealthz();
