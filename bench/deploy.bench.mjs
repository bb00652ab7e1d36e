// Production deployments: DevSanctum against plain Docker, same image, build command, limits
// and files, measured in the same run on loopback, with the built-in vite-react template.
// (a) deploy: POST /deployments → the new version's first 200 through the edge on the public
//     host, vs `docker run` of the build command + `docker run` of the serve command + first 200;
// (b) rollback to the previous deployment while it is warm, and after its grace (cold);
// (c) requests failed during every switch: a request loop through the edge runs throughout.
// A run's version is a marker in index.html's <title>, written before its timer starts.
import { execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import {
  apiClient,
  apiToken,
  get,
  ROOT,
  removeLabelled,
  row,
  sleep,
  startControlPlane,
  waitForProject,
} from "./lib/control-plane.mjs";
import { median, table } from "./lib/measure.mjs";

const run = promisify(execFile);
const TEMPLATE_DIR = path.join(ROOT, "backend/templates/vite-react");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COLD_RUNS = Math.min(RUNS, 3);
const KEEP_WARM_S = 3;
const WAIT_MS = 120_000;

const marker = (n) => `bench run ${n}`;
const withMarker = (html, n) => html.replace(/<title>[^<]*<\/title>/, `<title>${marker(n)}</title>`);

/** Polls until `port` (with `headers`) answers 200 with `text` in the body; returns the ms since t0. */
async function firstWith(port, text, t0, headers = {}) {
  for (;;) {
    const res = await get(port, "/", headers);
    if (res.status === 200 && res.body.includes(text)) return performance.now() - t0;
    if (performance.now() - t0 > WAIT_MS) throw new Error(`no 200 with "${text}" on 127.0.0.1:${port}`);
    await sleep(10);
  }
}

/** Writes stdin into a file of a container or volume mount (`docker run -i … sh -c 'cat > file'`). */
function pipeInto(args, content) {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", args, { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`docker ${args.join(" ")}: ${err}`))));
    child.stdin.end(content);
  });
}

const limits = (spec) => [
  "--init",
  "--cap-drop",
  "ALL",
  "--security-opt",
  "no-new-privileges",
  "--memory",
  `${spec.limits.memoryMb}m`,
  "--cpus",
  String(spec.limits.cpus),
  "--pids-limit",
  String(spec.limits.pids),
  ...Object.entries(spec.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
];

/** Plain Docker, per run: the build command in a container on the volume, then the serve command, first 200. */
async function plainDocker(spec, html, label) {
  const volume = `devsanctum-bench-deploy-${label}`;
  const tag = ["--label", `devsanctum.bench=${label}`];
  await run("docker", ["volume", "create", ...tag, volume]);
  await run("sh", [
    "-c",
    `tar -C '${TEMPLATE_DIR}/files' -c --owner=1000 --group=1000 . | docker run --rm -i --label devsanctum.bench=${label} -v ${volume}:/app ${spec.image} tar -x -C /app`,
  ]);
  const mount = ["-v", `${volume}:/app`, "-w", "/app"];
  return async function once(i) {
    const version = `base-${i}`;
    await pipeInto(
      ["run", "--rm", "-i", ...tag, ...mount, spec.image, "sh", "-c", "cat > index.html"],
      withMarker(html, version),
    );
    const t0 = performance.now();
    await run("docker", ["run", "--rm", ...tag, ...limits(spec), ...mount, spec.image, ...spec.build.command]);
    const args = ["run", "-d", ...tag, ...limits(spec), "-p", `127.0.0.1::${spec.port}`, ...mount, spec.image];
    const id = (await run("docker", [...args, ...spec.command])).stdout.trim();
    const port = (await run("docker", ["port", id, `${spec.port}/tcp`])).stdout.trim().split("\n")[0].split(":").pop();
    const ms = await firstWith(Number(port), marker(version), t0);
    await run("docker", ["rm", "-f", id]);
    return ms;
  };
}

/**
 * Requests the public host through the edge, 2 at a time with a 10 ms pause (~100/s here), counting
 * what is not a 200. It runs through the baseline's runs too, so both sides share its load.
 */
function requestLoop(edgePort, host) {
  let running = true;
  const counts = { total: 0, failed: 0, statuses: {} };
  const worker = async () => {
    while (running) {
      const r = await get(edgePort, "/", { host });
      counts.total += 1;
      if (r.status !== 200) {
        counts.failed += 1;
        counts.statuses[r.status] = (counts.statuses[r.status] ?? 0) + 1;
      }
      await sleep(10);
    }
  };
  const workers = Array.from({ length: 2 }, worker);
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

/**
 * DevSanctum, per run: a deployment through the API (→ its version through the edge), then a
 * rollback to the one live before it, warm. The request loop runs from the first deployment on.
 */
async function devsanctum(html, label) {
  const server = await startControlPlane(label, { DEPLOY_KEEP_WARM_S: String(KEEP_WARM_S) });
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  const api = apiClient(server.appPort, await apiToken(server.databaseUrl));
  const { templates } = await api("GET", "/templates");
  const template = templates.find((t) => t.slug === "vite-react");
  if (!template) throw new Error("the built-in vite-react template is not seeded");
  const { project } = await api("POST", "/projects", { name: `bench deploy ${label}`, templateId: template.id });
  await waitForProject(api, project.id, "running");
  const preview = await db.query(
    `SELECT "containerId" FROM "ServiceInstance" WHERE "projectId" = $1 AND kind = 'preview'`,
    [project.id],
  );
  await db.end();
  const host = `${project.slug}.localhost:${server.edgePort}`;
  const markerOf = new Map(); // deployment number → the version it serves
  const path = `/projects/${project.id}/deployments`;
  let previousLive = null;

  async function deploy(version) {
    await pipeInto(
      ["exec", "-i", preview.rows[0].containerId, "sh", "-c", "cat > /app/index.html"],
      withMarker(html, version),
    );
    const t0 = performance.now();
    const wall0 = Date.now();
    const { deployment } = await api("POST", path);
    const answered = Date.now();
    const ms = await firstWith(server.edgePort, marker(version), t0, { host });
    markerOf.set(deployment.number, marker(version));
    // Where the time went, from the deployment's own timestamps (same machine, same clock).
    const d = (await api("GET", `${path}/${deployment.number}`)).deployment;
    const at = (iso) => Date.parse(iso);
    const phases = {
      "POST answered (snapshot taken)": answered - wall0,
      "→ build started": at(d.buildStartedAt) - answered,
      "build + artifact commit": at(d.buildFinishedAt) - at(d.buildStartedAt),
      "→ live (serve container, health, switch)": at(d.liveAt) - at(d.buildFinishedAt),
      "→ first 200 via the edge": wall0 + ms - at(d.liveAt),
    };
    return { number: deployment.number, ms, phases };
  }
  async function rollback(number) {
    const t0 = performance.now();
    const { deployment } = await api("POST", `${path}/${number}/rollback`);
    const ms = await firstWith(server.edgePort, markerOf.get(number), t0, { host });
    markerOf.set(deployment.number, markerOf.get(number));
    return { number: deployment.number, ms };
  }
  return {
    host,
    edgePort: server.edgePort,
    /** The first deployment: the public host answers from now on. */
    first: async () => {
      previousLive = (await deploy("warm-up")).number;
    },
    /** A deployment, then a warm rollback to the one live before it. */
    async once(i) {
      const d = await deploy(i);
      const back = await rollback(previousLive);
      previousLive = back.number;
      return { deploy: d.ms, phases: d.phases, warm: back.ms };
    },
    /** After the grace, every superseded deployment is stopped: a rollback to one serving another version. */
    async cold() {
      await sleep(KEEP_WARM_S * 1000 + 1500);
      const { deployments } = await api("GET", path);
      const live = deployments.find((d) => d.status === "live");
      const target = deployments.find(
        (d) => d.status === "superseded" && markerOf.get(d.number) !== markerOf.get(live.number),
      );
      return target ? (await rollback(target.number)).ms : null;
    },
    async stop() {
      await api("DELETE", `/projects/${project.id}?keepData=false`).catch(() => {});
      await server.stop();
    },
  };
}

export async function benchDeploy() {
  const template = JSON.parse(await readFile(path.join(TEMPLATE_DIR, "template.json"), "utf8"));
  const spec = template.services.production;
  const html = await readFile(path.join(TEMPLATE_DIR, "files/index.html"), "utf8");
  const label = `bench-dp-${process.pid}`;
  let ours;
  let loop;
  try {
    const docker = await plainDocker(spec, html, label);
    ours = await devsanctum(html, label);
    await ours.first();
    loop = requestLoop(ours.edgePort, ours.host);
    // Interleaved, so both sides see the same machine (and the same request loop).
    const base = [];
    const deploy = [];
    const warm = [];
    const cold = [];
    const phases = [];
    for (let i = 1; i <= RUNS; i++) {
      base.push(await docker(i));
      const r = await ours.once(i);
      deploy.push(r.deploy);
      phases.push(r.phases);
      warm.push(r.warm);
    }
    for (let k = 0; k < COLD_RUNS; k++) {
      const ms = await ours.cold();
      if (ms !== null) cold.push(ms);
    }
    await loop.stop();
    console.log(`\nvite-react production (${spec.image}: ${spec.build.command.join(" ")}), ${RUNS} runs`);
    table([
      row("docker run build + docker run serve + first 200", base),
      row("POST /deployments → new version via the edge", deploy),
      row("rollback, warm → old version via the edge", warm),
      row(`rollback, cold (after DEPLOY_KEEP_WARM_S=${KEEP_WARM_S}) → old version`, cold),
    ]);
    console.log(`ratio deploy DevSanctum/docker: ${(median(deploy) / median(base)).toFixed(2)} (goal ≤ 1.3)`);
    console.log("\nwhere a deployment's time goes (medians, ms):");
    table(Object.keys(phases[0]).map((phase) => ({ phase, ms: Math.round(median(phases.map((p) => p[phase]))) })));
    const { total, failed, statuses } = loop.counts;
    console.log(
      `requests through the edge during ${RUNS} deployments and ${warm.length + cold.length} rollbacks: ${total}, failed: ${failed} (goal 0)${failed ? ` ${JSON.stringify(statuses)}` : ""}`,
    );
  } finally {
    await loop?.stop();
    await ours?.stop();
    await removeLabelled(label);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDeploy();
