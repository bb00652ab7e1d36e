// The workspace container itself on the real engine: how it is confined (no network, read-only
// root, no capabilities, the files' owner as user), that it stops when idle and comes back on
// the next request, and that a project without a volume gets a clear 409 and no stray volume.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerWorkspaces } from "../src/adapters/docker/docker-workspaces.js";
import { agentProjectFiles } from "../src/adapters/workspace/agent-project-files.js";
import { testDocker } from "./helpers/app.js";
import { removeByInstall, TEST_FILES_CONFIG, TEST_RUN } from "./helpers/projects.js";

const runtime = testDocker();
const installId = `t-${randomBytes(5).toString("hex")}`;
const projectId = randomBytes(8).toString("hex");
const volume = `ds-${installId}-${projectId}-files`;
const labels = { "devsanctum.install": installId, "devsanctum.project": projectId, "devsanctum.test-run": TEST_RUN };
const t = { projectId, ownerImage: "devsanctum/vite-react:3" };
let host: ReturnType<typeof dockerWorkspaces>;
const files = () => agentProjectFiles(host);
const workspace = async () =>
  (await runtime.listContainers({ "devsanctum.install": installId, "devsanctum.kind": "workspace" }))[0];

beforeAll(async () => {
  host = dockerWorkspaces({
    docker: runtime.docker,
    installId,
    extraLabels: { "devsanctum.test-run": TEST_RUN },
    volumeName: (id) => `ds-${installId}-${id}-files`,
    image: TEST_FILES_CONFIG.workspace.image,
    idleMs: 1000,
    limits: { memoryMb: 256, cpus: 1, pids: 64 },
  });
  await runtime.ensureVolume(volume, labels);
});
afterAll(async () => {
  await host?.close();
  await removeByInstall(runtime, installId);
});

describe("the workspace container", () => {
  it("is made on first use, confined, and runs as the files' owner with git", async () => {
    const w = await files().write(t, "hello.txt", Buffer.from("hi"), {});
    expect(w.created).toBe(true);
    const c = await workspace();
    expect(c?.state).toBe("running");
    const info = await runtime.docker.getContainer(c?.id ?? "").inspect();
    expect(info.HostConfig).toMatchObject({
      NetworkMode: "none",
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Memory: 256 * 1024 * 1024,
      PidsLimit: 64,
      Init: true,
    });
    expect(info.Config.User).toBe("1000");
    expect(info.Mounts.map((m) => `${m.Name}:${m.Destination}`)).toEqual([`${volume}:/app`]);
    const git = await files().git(t, ["--version"]);
    expect(git.stdout.toString()).toMatch(/^git version 2\./);
  });

  it("stops when idle and starts again on the next request, files intact", async () => {
    await new Promise((r) => setTimeout(r, 1200));
    await host.stopIdle();
    expect((await workspace())?.state).toBe("exited");
    expect((await files().read(t, "hello.txt", { maxBytes: 100 })).content.toString()).toBe("hi");
    expect((await workspace())?.state).toBe("running");
  });

  it("answers FILES_NOT_READY for a project whose volume does not exist yet, making none", async () => {
    const other = { projectId: randomBytes(8).toString("hex"), ownerImage: null };
    await expect(files().tree(other, { path: "", depth: 1, all: false, maxEntries: 10 })).rejects.toMatchObject({
      code: "FILES_NOT_READY",
      kind: "conflict",
    });
    const volumes = await runtime.docker.listVolumes();
    expect((volumes.Volumes ?? []).some((v) => v.Name.includes(other.projectId))).toBe(false);
  });
});
