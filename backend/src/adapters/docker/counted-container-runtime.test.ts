import { describe, expect, it } from "vitest";
import type { ContainerRuntime } from "../../ports/container-runtime.port.js";
import { countedContainerRuntime } from "./counted-container-runtime.js";

const gone = Object.assign(new Error("no such container"), { statusCode: 404 });

/** Only what the test calls: a runtime whose start fails and whose logs break mid-stream. */
const runtime = {
  startContainer: async () => {
    throw gone;
  },
  inspectContainer: async () => null,
  async *logs() {
    yield { stream: "stdout" as const, line: "one" };
    throw gone;
  },
  docker: { kept: true },
} as unknown as ContainerRuntime & { docker: { kept: boolean } };

describe("countedContainerRuntime", () => {
  it("counts a failed call by its port method and rethrows the same error", async () => {
    const errors: string[] = [];
    const counted = countedContainerRuntime(runtime, (op) => errors.push(op));
    await expect(counted.startContainer("x")).rejects.toBe(gone);
    expect(await counted.inspectContainer("x")).toBeNull();
    expect(errors).toEqual(["startContainer"]);
  });

  it("counts a stream that fails while read, after the lines it gave", async () => {
    const errors: string[] = [];
    const counted = countedContainerRuntime(runtime, (op) => errors.push(op));
    const lines: string[] = [];
    await expect(
      (async () => {
        for await (const l of counted.logs("x", { tail: 1, follow: false, signal: new AbortController().signal }))
          lines.push(l.line);
      })(),
    ).rejects.toBe(gone);
    expect(lines).toEqual(["one"]);
    expect(errors).toEqual(["logs"]);
  });

  it("keeps what is not a method (the dockerode client tests reach for)", () => {
    expect(countedContainerRuntime(runtime, () => {}).docker.kept).toBe(true);
  });
});
