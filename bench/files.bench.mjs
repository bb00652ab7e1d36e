// Project files through the API against the same operation with `docker exec` into the same
// workspace container, in the same run, on loopback:
//   read a 10 KB file · write a 10 KB file · list a tree of 2,000 files (with sizes and times)
// Baselines: the docker CLI (`docker exec … cat`, `… sh -c 'cat > f'`, `… ls -lR`) and the
// Engine API's exec called in-process (dockerode: no CLI start-up), which is what the control
// plane itself builds on. The built control plane runs under its own INSTALL_ID, on free
// ports, with its own embedded PostgreSQL (lib/measure.mjs startControlPlane); everything it
// made is removed at the end.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { median, startControlPlane, table } from "./lib/measure.mjs";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const TREE_FILES = 2000;
const backendRequire = createRequire(path.join(ROOT, "backend/package.json"));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A ustar archive of `files` (name → content), enough for the upload API. */
function tarOf(files) {
  const parts = [];
  for (const [name, content] of files) {
    const body = Buffer.from(content);
    const h = Buffer.alloc(512);
    const oct = (n, off, len) => h.write(`${n.toString(8).padStart(len - 1, "0")}\0`, off, len);
    h.write(name, 0, 100);
    oct(0o644, 100, 8);
    oct(1000, 108, 8);
    oct(1000, 116, 8);
    oct(body.length, 124, 12);
    oct(Math.floor(Date.now() / 1000), 136, 12);
    h.write("        ", 148, 8);
    h.write("0", 156, 1);
    h.write("ustar\u000000", 257, 8);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
    parts.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

async function apiToken(databaseUrl) {
  const { generateApiToken } = await import(path.join(ROOT, "backend/dist/modules/auth/api-token.js"));
  const { token, prefix, hash } = generateApiToken();
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const user = await c.query(
      `INSERT INTO "User" (id, email, role, "updatedAt") VALUES (gen_random_uuid(), 'bench@localhost', 'admin', now()) RETURNING id`,
    );
    await c.query(
      `INSERT INTO "ApiToken" (id, "userId", name, prefix, "tokenHash", scopes) VALUES (gen_random_uuid(), $1, 'bench', $2, $3, $4)`,
      [user.rows[0].id, prefix, hash, ["projects:read", "projects:write", "templates:read"]],
    );
  } finally {
    await c.end();
  }
  return `Bearer ${token}`;
}

/** Times `fn` RUNS times after two warm-up calls; returns milliseconds. */
async function timed(fn) {
  await fn();
  await fn();
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return xs;
}

/** `docker exec` through the CLI; `input` goes to its stdin. */
function cliExec(container, cmd, input) {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", ["exec", ...(input ? ["-i"] : []), container, ...cmd], {
      stdio: [input ? "pipe" : "ignore", "pipe", "pipe"],
    });
    let out = 0;
    child.stdout.on("data", (d) => (out += d.length));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`docker exec ${cmd.join(" ")}: ${code}`)),
    );
    if (input) child.stdin.end(input);
  });
}

/** The same exec through the Engine API, in-process (no CLI start-up). */
async function apiExec(docker, container, cmd, input) {
  const exec = await docker.getContainer(container).exec({
    Cmd: cmd,
    AttachStdin: Boolean(input),
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: Boolean(input) });
  let out = 0;
  const done = new Promise((resolve, reject) => {
    stream.on("data", (d) => (out += d.length));
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  if (input) stream.end(input);
  await done;
  return out;
}

export async function benchFiles() {
  const label = `bench-files-${randomBytes(3).toString("hex")}`;
  const server = await startControlPlane(ROOT, { label });
  const { appPort, databaseUrl } = server;
  const Docker = backendRequire("dockerode");
  const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? "/var/run/docker.sock" });
  try {
    const authorization = await apiToken(databaseUrl);
    const base = `http://127.0.0.1:${appPort}/api/v1`;
    const call = async (method, p, body, headers = {}) => {
      const res = await fetch(`${base}${p}`, { method, body, headers: { authorization, ...headers } });
      const buf = Buffer.from(await res.arrayBuffer());
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${buf.toString().slice(0, 300)}`);
      return buf;
    };
    const json = (buf) => JSON.parse(buf.toString());
    const { templates } = json(await call("GET", "/templates"));
    const template = templates.find((t) => t.slug === "vite-react");
    const { project } = json(
      await call("POST", "/projects", JSON.stringify({ name: `bench ${label}`, templateId: template.id }), {
        "content-type": "application/json",
      }),
    );
    const files = `/projects/${project.id}/files`;
    for (let i = 0; ; i++) {
      const p = json(await call("GET", `/projects/${project.id}`));
      if (p.status === "running") break;
      if (p.status === "failed" || i > 600) throw new Error(`project ${p.status}: ${p.statusMessage}`);
      await sleep(100);
    }

    // The data: one 10 KB file, and 2,000 files in 40 folders (uploaded once, untimed).
    const tenKb = randomBytes(5 * 1024).toString("hex");
    await call("PUT", `${files}/content?path=bench/10k.txt`, tenKb, { "content-type": "text/plain" });
    const tree = [];
    for (let i = 0; i < TREE_FILES; i++) tree.push([`bench/tree/d${i % 40}/f${i}.txt`, `file ${i}\n`]);
    await call("POST", `${files}/archive`, gzipSync(tarOf(tree)), { "content-type": "application/gzip" });
    const [ws] = await docker.listContainers({
      filters: { label: [`devsanctum.install=${label}`, "devsanctum.kind=workspace"] },
    });
    if (!ws) throw new Error("no workspace container");
    const listed = json(await call("GET", `${files}?path=bench%2Ftree&depth=3`));
    if (listed.entries.length !== TREE_FILES + 40 || listed.truncated) {
      throw new Error(`the tree listed ${listed.entries.length} entries`);
    }

    const rows = [];
    const add = (what, how, xs) =>
      rows.push({
        what,
        how,
        runs: xs.length,
        "median ms": median(xs).toFixed(1),
        "p90 ms": [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)].toFixed(1),
      });
    const readPath = "/app/bench/10k.txt";
    add("read 10 KB", "API GET /files/content", await timed(() => call("GET", `${files}/content?path=bench/10k.txt`)));
    add("read 10 KB", "docker exec cat (CLI)", await timed(() => cliExec(ws.Id, ["cat", readPath])));
    add("read 10 KB", "exec cat (Engine API)", await timed(() => apiExec(docker, ws.Id, ["cat", readPath])));
    add(
      "write 10 KB",
      "API PUT /files/content",
      await timed(() => call("PUT", `${files}/content?path=bench/10k.txt`, tenKb, { "content-type": "text/plain" })),
    );
    const writeCmd = ["sh", "-c", `cat > ${readPath}`];
    add("write 10 KB", "docker exec -i sh -c 'cat > f' (CLI)", await timed(() => cliExec(ws.Id, writeCmd, tenKb)));
    add("write 10 KB", "exec sh -c 'cat > f' (Engine API)", await timed(() => apiExec(docker, ws.Id, writeCmd, tenKb)));
    const lsCmd = ["ls", "-lR", "/app/bench/tree"];
    add(
      "tree of 2,000 files",
      "API GET /files?depth=3",
      await timed(() => call("GET", `${files}?path=bench%2Ftree&depth=3`)),
    );
    add("tree of 2,000 files", "docker exec ls -lR (CLI)", await timed(() => cliExec(ws.Id, lsCmd)));
    add("tree of 2,000 files", "exec ls -lR (Engine API)", await timed(() => apiExec(docker, ws.Id, lsCmd)));
    console.log(
      `files: one vite-react project, ${RUNS} runs each after 2 warm-ups; the API answers in JSON with sizes and times (ls -lR prints the same facts as text)`,
    );
    table(rows);
    await call("DELETE", `/projects/${project.id}?keepData=false`);
  } finally {
    await server.stop();
    await removeLabelled(label);
  }
}

async function removeLabelled(label) {
  const filter = `label=devsanctum.install=${label}`;
  const ids = (await run("docker", ["ps", "-aq", "--filter", filter])).stdout.trim();
  if (ids) await run("docker", ["rm", "-f", ...ids.split("\n")]);
  const vols = (await run("docker", ["volume", "ls", "-q", "--filter", filter])).stdout.trim();
  if (vols) await run("docker", ["volume", "rm", "-f", ...vols.split("\n")]);
  const nets = (await run("docker", ["network", "ls", "-q", "--filter", filter])).stdout.trim();
  if (nets) await run("docker", ["network", "rm", ...nets.split("\n")]);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchFiles();
