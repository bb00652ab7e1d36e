import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceSpec } from "../ports/templates.port.js";
import { instanceMemoryMb, poolKeyOf } from "./warm-pool.js";

const spec = (memoryMb: number, env: Record<string, string> = {}): ServiceSpec => ({
  image: "node:20",
  command: ["node", "server.js"],
  port: 3000,
  env,
  healthCheck: { path: "/", intervalMs: 100, timeoutMs: 1000, retries: 3 },
  limits: { memoryMb, cpus: 1, pids: 64 },
  restart: { maxRetries: 1 },
});

let seed: string;
beforeAll(async () => {
  seed = await mkdtemp(path.join(os.tmpdir(), "pool-key-"));
  await writeFile(path.join(seed, "index.html"), "<h1>one</h1>");
});
afterAll(() => rm(seed, { recursive: true, force: true }));

describe("poolKeyOf: an instance made from another version of the template is stale", () => {
  const template = () => ({ id: "t1", services: { preview: spec(128) }, filesSeed: seed });

  it("is the same for the same template and files", async () => {
    expect(await poolKeyOf(template())).toBe(await poolKeyOf(template()));
  });

  it("changes with the services (an env value, a limit)", async () => {
    const before = await poolKeyOf(template());
    expect(await poolKeyOf({ ...template(), services: { preview: spec(128, { A: "1" }) } })).not.toBe(before);
    expect(await poolKeyOf({ ...template(), services: { preview: spec(256) } })).not.toBe(before);
  });

  it("changes when a seed file is edited", async () => {
    const before = await poolKeyOf(template());
    await writeFile(path.join(seed, "index.html"), "<h1>two, longer</h1>");
    await utimes(path.join(seed, "index.html"), new Date(), new Date(Date.now() + 5000));
    expect(await poolKeyOf(template())).not.toBe(before);
  });
});

describe("instanceMemoryMb", () => {
  it("adds the limits of the services an instance runs, not production's", () => {
    const services = { preview: spec(512), opencode: spec(1024), production: spec(256) };
    expect(instanceMemoryMb({ services })).toBe(1536);
  });
});
