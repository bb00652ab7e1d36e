// Starts the built control plane (backend/dist/main.js) on free ports with its own data
// directory and embedded PostgreSQL, and stops it by PID. Everything it makes in Docker carries
// devsanctum.test-run=<run>, so cleanup removes exactly that.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** A free port below 32768, which embedded PostgreSQL requires (the kernel's ephemeral range starts there). */
export async function freeLowPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port below 32768");
}

export interface Backend {
  url: string;
  edgePort: number;
  run: string;
  signInLink: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** `run` labels everything it makes; `env` adds settings (e.g. PROJECT_NETWORK_ATTACH). */
export async function startBackend(opts: { run?: string; env?: Record<string, string> } = {}): Promise<Backend> {
  const main = path.join(ROOT, "backend/dist/main.js");
  const consoleDir = path.join(ROOT, "frontend/dist");
  if (!existsSync(main) || !existsSync(path.join(consoleDir, "index.html"))) {
    throw new Error("build first: pnpm build (needs backend/dist/main.js and frontend/dist/index.html)");
  }
  const run = opts.run ?? testRun();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-e2e-"));
  await chmod(dataDir, 0o755); // embedded PostgreSQL runs as its own user
  const [port, edgePort] = [await freePort(), await freePort()];
  const url = `http://localhost:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    LOG_PRETTY: "false",
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: url,
    EDGE_PORT: String(edgePort),
    APPS_DOMAIN: "localhost",
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: process.env.E2E_PG_PORT ?? String(await freeLowPort()),
    INSTALL_ID: run,
    DEVSANCTUM_TEST_RUN: run,
    CONSOLE_DIR: consoleDir,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...opts.env,
  };
  const child: ChildProcess = spawn(process.execPath, [main], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      process.kill(child.pid, "SIGTERM");
      const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 15_000));
      if ((await Promise.race([exited, timeout])) === "timeout" && child.exitCode === null) {
        process.kill(child.pid, "SIGKILL");
        await exited;
      }
    }
    removeDockerResources(run);
    await rm(dataDir, { recursive: true, force: true });
  };

  // The start prints its sign-in link to a terminal only (never into a log): once it is up,
  // the owner's link comes from `pnpm signin-link`, as the README says for a service.
  const deadline = Date.now() + 60_000;
  while (!/DevSanctum \S+ is up/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the backend did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const tool = execFileSync(process.execPath, [path.join(ROOT, "backend/dist/tools/signin-link.js")], {
    cwd: ROOT,
    env,
    encoding: "utf8",
  });
  const signInLink = /(http\S+\/api\/v1\/auth\/bootstrap\?token=\S+)/.exec(tool)?.[1] ?? "";
  if (!signInLink) {
    await stop();
    throw new Error(`pnpm signin-link printed no link:\n${tool}`);
  }
  return { url, edgePort, run, signInLink, output: () => output, stop };
}

/**
 * Prints the backend's last log lines when a test fails: CI keeps only the test output, and a
 * failure there must say what the control plane did (call from afterEach).
 */
export function printLogOnFailure(
  backend: Backend | undefined,
  ctx: { task: { name: string; result?: { state?: string } } },
) {
  if (!backend || ctx.task.result?.state !== "fail") return;
  // Request lines (a console page's heartbeat sends one every few seconds) would crowd out what
  // the reconciler, the edge and the agent said: those come first, then the last requests.
  const lines = backend.output().trimEnd().split("\n");
  const isRequestLine = (l: string) => /"msg":"(incoming request|request completed)"/.test(l);
  const said = lines.filter((l) => !isRequestLine(l)).slice(-100);
  const requests = lines.filter(isRequestLine).slice(-30);
  console.error(
    [
      `--- backend log after "${ctx.task.name}" failed: last ${said.length} lines other than requests ---`,
      ...said,
      `--- last ${requests.length} request lines ---`,
      ...requests,
      "--- end of backend log ---",
    ].join("\n"),
  );
}

/** The run label of this process: DEVSANCTUM_TEST_RUN (CI) or one made up once. */
let madeUpRun: string | undefined;
export function testRun(): string {
  madeUpRun ??= process.env.DEVSANCTUM_TEST_RUN ?? `e2e${Date.now()}`;
  return madeUpRun;
}

const docker = (args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();

/** Containers, networks and volumes of this run (only those). */
export function dockerResources(run: string) {
  const filter = ["--filter", `label=devsanctum.test-run=${run}`];
  const lines = (s: string) => s.split("\n").filter(Boolean);
  return {
    containers: lines(docker(["ps", "-aq", ...filter])),
    /** The install's service gate: shared by every project, it outlives each one. */
    gates: lines(docker(["ps", "-aq", ...filter, "--filter", "label=devsanctum.kind=gate"])),
    networks: lines(docker(["network", "ls", "-q", ...filter])),
    volumes: lines(docker(["volume", "ls", "-q", ...filter])),
  };
}

/**
 * The backend's scriptable fake model (backend/test/fixtures/fake-model.cjs) in a container of
 * its own, labelled with the run; the backend joins it to each project's network
 * (PROJECT_NETWORK_ATTACH), so the agent reaches it by name. Never reached from here.
 */
export function startFakeModel(run: string, validKey: string) {
  const name = `ds-fake-model-${run}`.slice(0, 60);
  const id = docker([
    "create",
    "--init",
    "--name",
    name,
    "--label",
    `devsanctum.test-run=${run}`,
    "--memory",
    "128m",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "-e",
    `FAKE_VALID_KEYS=${validKey}`,
    process.env.DEVSANCTUM_NODE_IMAGE ?? "devsanctum/node:20",
    "node",
    "/tmp/fake-model.cjs",
    "18181",
  ]);
  docker(["cp", path.join(ROOT, "backend/test/fixtures/fake-model.cjs"), `${name}:/tmp/fake-model.cjs`]);
  docker(["start", name]);
  return { id, name, baseUrl: `http://${name}:18181/v1` };
}

export function removeDockerResources(run: string) {
  const left = dockerResources(run);
  if (left.containers.length) docker(["rm", "-f", "-v", ...left.containers]);
  if (left.networks.length) docker(["network", "rm", ...left.networks]);
  if (left.volumes.length) docker(["volume", "rm", "-f", ...left.volumes]);
}
