// GET /healthz of the real control plane (built, embedded PostgreSQL, production logging)
// against a bare Fastify hello-world, measured in the same run on loopback.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, load, startServer, table } from "./lib/measure.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const duration = Number(process.env.BENCH_DURATION ?? 5);

export async function benchHealthz() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-bench-"));
  await chmod(dataDir, 0o755);
  const barePort = await freePort();
  const appPort = await freePort();
  const bare = await startServer(process.execPath, [path.join(import.meta.dirname, "servers/bare-fastify.mjs")], {
    env: { PORT: String(barePort) },
    readyUrl: `http://127.0.0.1:${barePort}/healthz`,
  });
  const app = await startServer(process.execPath, [path.join(ROOT, "backend/dist/main.js")], {
    env: {
      PORT: String(appPort),
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: process.env.BENCH_PG_PORT ?? "5493",
      NODE_ENV: "production",
      LOG_LEVEL: "info",
    },
    readyUrl: `http://127.0.0.1:${appPort}/readyz`,
  });
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
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchHealthz();
