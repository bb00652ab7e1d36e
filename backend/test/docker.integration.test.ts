import { describe, expect, it } from "vitest";
import { dockerodeContainerRuntime } from "../src/adapters/docker/dockerode-container-runtime.js";
import { testDocker } from "./helpers/app.js";

describe("dockerode ContainerRuntime", () => {
  const runtime = testDocker();

  it("pings and reports the engine version", async () => {
    await runtime.ping();
    const v = await runtime.version();
    expect(v.apiVersion).toMatch(/^1\.\d+$/);
    expect(v.os).toBe("linux");
  });

  it("lists only the containers that carry every given label", async () => {
    const run = `t${Date.now().toString(36)}`;
    const labels = { "devsanctum.install": `test-${run}`, "devsanctum.kind": "probe" };
    const c = await runtime.docker.createContainer({
      Image: process.env.DEVSANCTUM_NODE_IMAGE ?? "devsanctum/node:20",
      Cmd: ["true"],
      Labels: { ...labels, "devsanctum.test-run": process.env.DEVSANCTUM_TEST_RUN ?? "local" },
      HostConfig: { Init: true, Memory: 64 * 1024 * 1024, PidsLimit: 16 },
    });
    try {
      const found = await runtime.listContainers(labels);
      expect(found.map((f) => f.id)).toEqual([c.id]);
      expect(found[0]?.labels).toMatchObject(labels);
      expect(await runtime.listContainers({ ...labels, "devsanctum.kind": "other" })).toEqual([]);
    } finally {
      await c.remove({ force: true });
    }
    expect(await runtime.listContainers(labels)).toEqual([]);
  });

  it("says which socket it tried and what to do when no engine answers", async () => {
    const missing = dockerodeContainerRuntime({ socketPath: "/tmp/devsanctum-absent.sock" });
    await expect(missing.ping()).rejects.toMatchObject({
      code: "DOCKER_UNAVAILABLE",
      message: expect.stringMatching(/\/tmp\/devsanctum-absent\.sock.*Start one.*DOCKER_HOST/s),
    });
    const remote = dockerodeContainerRuntime({ host: "tcp://127.0.0.1:1", socketPath: "/unused" });
    await expect(remote.version()).rejects.toMatchObject({
      message: expect.stringContaining("DOCKER_HOST=tcp://127.0.0.1:1"),
    });
  });
});
