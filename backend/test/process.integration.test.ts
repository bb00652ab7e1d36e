// The real entry point as a child process: embedded PostgreSQL, migrations, listen, SIGTERM.
import { type ChildProcess, execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testDocker } from "./helpers/app.js";
import { BACKEND, freePort, startControlPlane as start, waitFor } from "./helpers/process.js";
import { eventually, removeByInstall } from "./helpers/projects.js";

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.on("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });

describe("devsanctum process", () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    // What the started control planes made in Docker (their service gate): labelled with their
    // install id, removed here and only that.
    await removeByInstall(testDocker(), `proc-${process.pid}`);
  });

  it("starts embedded PostgreSQL, serves /readyz and /docs/json, and leaves nothing behind on SIGTERM", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-proc-"));
    await chmod(dataDir, 0o755);
    dirs.push(dataDir);
    const port = await freePort();
    const pgPort = Number(process.env.TEST_PROCESS_PG_PORT ?? 5496);
    // Its own install label: the reconciler removes stray resources of its install only.
    const app = start({
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      INSTALL_ID: `proc-${process.pid}`,
      EDGE_PORT: "0",
    });
    children.push(app.child);

    const ready = await waitFor(`http://127.0.0.1:${port}/readyz`, 45_000).catch((e) => {
      throw new Error(`${e.message}\n${app.output()}`);
    });
    expect(await ready.json()).toMatchObject({ status: "ready" });
    const doc = (await (await fetch(`http://127.0.0.1:${port}/docs/json`)).json()) as { openapi: string };
    expect(doc.openapi).toMatch(/^3\.1/);
    // JSON logs carry the request id on request lines.
    // The request line is written once the answer is sent: it may trail the answer a little.
    const logged = await eventually(
      async () => app.output(),
      (out) => /"reqId":"[^"]+".*"url":"\/docs\/json"/.test(out),
      5000,
    ).catch(() => app.output());
    expect(logged).toMatch(/"reqId":"[^"]+".*"url":"\/docs\/json"/);
    expect(app.output()).toContain(`/docs`);

    // No OAuth app configured, and stdout is no terminal here: the start printed no sign-in link
    // (it would land in a log), it said how to get one, and the command prints one.
    const linkPath = /\/api\/v1\/auth\/bootstrap\?token=dsl_[A-Za-z0-9_-]+/;
    expect(app.output()).not.toContain("dsl_");
    expect(app.output()).toContain("no sign-in link printed (stdout is not a terminal)");
    expect(app.output()).toContain("sign-ups: closed");
    const signinLink = () =>
      execFileSync(process.execPath, ["--import", "tsx", "src/tools/signin-link.ts"], {
        cwd: BACKEND,
        env: { PATH: process.env.PATH ?? "", PORT: String(port), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) },
        encoding: "utf8",
      });
    const printed = linkPath.exec(signinLink())?.[0];
    expect(printed).toBeDefined();
    const signIn = await fetch(`http://127.0.0.1:${port}${printed}`, { redirect: "manual" });
    expect(signIn.status).toBe(302);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ role: "admin" });
    expect((await fetch(`http://127.0.0.1:${port}${printed}`, { redirect: "manual" })).status).toBe(401);

    // The command prints a fresh link, talking to the running embedded PostgreSQL.
    const tool = signinLink();
    const fresh = linkPath.exec(tool)?.[0];
    expect(fresh, tool).toBeDefined();
    expect((await fetch(`http://127.0.0.1:${port}${fresh}`, { redirect: "manual" })).status).toBe(302);

    app.child.kill("SIGTERM");
    expect(await app.exited, app.output()).toBe(0);
    expect(await portOpen(port)).toBe(false);
    expect(await portOpen(pgPort)).toBe(false);
    // No postgres process survives for this data directory.
    const survivors = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.includes(dataDir));
    expect(survivors).toEqual([]);
  }, 90_000);

  it("refuses to start on a malformed variable with one line naming it", async () => {
    const app = start({ PORT: "eighty" });
    children.push(app.child);
    expect(await app.exited).toBe(1);
    const lines = app.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/PORT: .*got "eighty"/);
  });
});
