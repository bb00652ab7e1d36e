// The scriptable fake model (fixtures/fake-model.cjs) in its own labelled container. The
// reconciler joins it to every project network (attachContainers, as PROJECT_NETWORK_ATTACH
// does in compose), so OpenCode reaches it at http://<name>:18181/v1; the test reads what it
// was asked on a 127.0.0.1 port, never through a bridge address.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { testDocker } from "./app.js";
import { NODE_IMAGE, TEST_RUN } from "./projects.js";
import { tarOf } from "./tar.js";

const SOURCE = path.resolve(import.meta.dirname, "../fixtures/fake-model.cjs");
export const FAKE_KEY = "sk-fake-good-key-1234";
const PORT = 18181;

export interface FakeRequest {
  id: number;
  at: number;
  answeredAt?: number;
  keyLast4: string;
  model: string;
  tools: string[];
  lastUser: string;
  turnStart: boolean;
  answer: string;
  status: number;
}

export async function startFakeModel(opts: { validKeys?: string[] } = {}) {
  const docker = testDocker().docker;
  const name = `ds-fake-model-${TEST_RUN}-${randomBytes(3).toString("hex")}`.slice(0, 60);
  const container = await docker.createContainer({
    name,
    Image: NODE_IMAGE,
    Cmd: ["node", "/tmp/fake-model.cjs", String(PORT)],
    Env: [`FAKE_VALID_KEYS=${(opts.validKeys ?? [FAKE_KEY]).join(",")}`],
    Labels: { "devsanctum.test-run": TEST_RUN, "devsanctum.kind": "fake-model" },
    ExposedPorts: { [`${PORT}/tcp`]: {} },
    HostConfig: {
      Init: true,
      Memory: 128 * 1024 * 1024,
      PidsLimit: 64,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      PortBindings: { [`${PORT}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: "" }] },
    },
  });
  await container.putArchive(tarOf([{ name: "fake-model.cjs", content: await readFile(SOURCE, "utf8") }]), {
    path: "/tmp",
  });
  await container.start();
  const info = await container.inspect();
  const hostPort = info.NetworkSettings.Ports[`${PORT}/tcp`]?.[0]?.HostPort;
  const records = `http://127.0.0.1:${hostPort}/__fake/requests`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(records)).ok) break;
    } catch {}
    if (i > 50) throw new Error("the fake model did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    /** What agent settings point at: reachable from the project's network only. */
    baseUrl: `http://${name}:${PORT}/v1`,
    async requests(): Promise<FakeRequest[]> {
      return (await (await fetch(records)).json()) as FakeRequest[];
    },
    async remove() {
      await container.remove({ force: true }).catch(() => {});
    },
  };
}

export type FakeModel = Awaited<ReturnType<typeof startFakeModel>>;

/** A prompt line scripting the fake's turn (see fixtures/fake-model.cjs). */
export const fakeScript = (script: Record<string, unknown>) => `@fake ${JSON.stringify(script)}`;
