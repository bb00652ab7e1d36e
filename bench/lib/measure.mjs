// Small shared helpers for the benchmarks: child servers on loopback, autocannon runs, tables.
import { spawn } from "node:child_process";
import net from "node:net";
import autocannon from "autocannon";

export async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A free port below 32768 (embedded PostgreSQL refuses the kernel's ephemeral range above). */
export async function freeLowPort() {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise((resolve) => {
      const s = net.createServer().once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port below 32768");
}

/**
 * The built control plane (backend/dist) as a child process, isolated from any DevSanctum already
 * running on this machine: its own data directory and embedded PostgreSQL on a free port, free
 * API and edge ports, and its own install id (so its reconciler never touches another install's
 * containers or volumes). `env` adds or overrides variables. stop() ends it and removes its data.
 */
export async function startControlPlane(root, { env = {}, label = `bench-${process.pid}` } = {}) {
  const { mkdtemp, chmod, rm, readFile } = await import("node:fs/promises");
  const os = await import("node:os");
  const path = await import("node:path");
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-bench-"));
  await chmod(dataDir, 0o755);
  const [appPort, edgePort, pgPort] = [await freePort(), await freePort(), await freeLowPort()];
  try {
    // BENCH_CPU_PROF_DIR=<dir>: the control plane writes a V8 CPU profile there when it stops
    // (open it in Chrome DevTools or speedscope) — profile before changing the hot path.
    const prof = process.env.BENCH_CPU_PROF_DIR;
    const flags = prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : [];
    const server = await startServer(process.execPath, [...flags, path.join(root, "backend/dist/main.js")], {
      env: {
        PORT: String(appPort),
        EDGE_PORT: String(edgePort),
        DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        INSTALL_ID: label,
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        ...env,
      },
      readyUrl: `http://127.0.0.1:${appPort}/readyz`,
    });
    return {
      appPort,
      edgePort,
      installId: label,
      // The embedded PostgreSQL's password is random per data directory, kept beside it.
      databaseUrl: `postgresql://devsanctum:${encodeURIComponent(
        (await readFile(path.join(dataDir, "postgres-password"), "utf8")).trim(),
      )}@127.0.0.1:${pgPort}/devsanctum`,
      async stop() {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Starts a server process and resolves once `readyUrl` answers 200. */
export async function startServer(cmd, args, { env = {}, readyUrl, timeoutMs = 60_000, cwd } = {}) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"], cwd });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(readyUrl)).ok) break;
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${cmd} ${args.join(" ")} did not become ready:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Load on loopback only: bounded in time, warm-up discarded. `status`: the one status expected (default any 2xx). */
export async function load(url, { connections = 50, duration = 5, warmup = 1, headers = {}, status } = {}) {
  if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(url))
    throw new Error(`refusing to load a non-loopback address: ${url}`);
  await autocannon({ url, connections, duration: warmup, headers });
  const r = await autocannon({ url, connections, duration, headers });
  const unexpected = status
    ? Object.entries(r.statusCodeStats ?? {}).reduce((n, [code, s]) => n + (Number(code) === status ? 0 : s.count), 0)
    : r.non2xx;
  if (unexpected || r.errors)
    throw new Error(
      `${url}: ${unexpected} unexpected responses (${JSON.stringify(r.statusCodeStats)}), ${r.errors} errors`,
    );
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    mbps: Math.round((r.throughput.average / 1e6) * 10) / 10,
  };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function table(rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((v, i) => String(v).padEnd(width[i])).join("  ");
  console.log(line(cols));
  console.log(line(width.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}
