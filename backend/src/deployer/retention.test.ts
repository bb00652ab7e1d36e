// DEPLOY_KEEP: which deployments go, and which images go with them.
import { describe, expect, it } from "vitest";
import type { DeploymentRecord } from "../ports/deployments.port.js";
import { deploymentsToPrune, imagesFreedBy } from "./retention.js";

let n = 0;
const row = (status: DeploymentRecord["status"], image: string | null, kind: "build" | "rollback" = "build") => {
  n += 1;
  return { id: `d${n}`, number: n, status, image, kind } as DeploymentRecord;
};

describe("retention", () => {
  it("keeps the live one and the newest superseded ones up to DEPLOY_KEEP", () => {
    n = 0;
    const rows = [row("superseded", "i1"), row("superseded", "i2"), row("superseded", "i3"), row("live", "i4")];
    expect(deploymentsToPrune(rows, 3).map((r) => r.number)).toEqual([1]);
    expect(deploymentsToPrune(rows, 1).map((r) => r.number)).toEqual([3, 2, 1]);
  });

  it("never lets failed attempts push a working version out; they are kept as many again", () => {
    n = 0;
    const rows = [row("superseded", "i1"), row("live", "i2"), ...Array.from({ length: 4 }, () => row("failed", null))];
    expect(deploymentsToPrune(rows, 3).map((r) => r.number)).toEqual([3]);
  });

  it("keeps an older live one (after a rollback) and the active one", () => {
    n = 0;
    const rows = [row("live", "i1"), row("superseded", "i2"), row("superseded", "i3"), row("building", null)];
    expect(deploymentsToPrune(rows, 2).map((r) => r.number)).toEqual([2]);
  });

  it("frees an image only when no remaining deployment serves it (a rollback shares its build's)", () => {
    n = 0;
    const build = row("superseded", "i1");
    const other = row("superseded", "i2");
    const rollback = row("live", "i1", "rollback");
    const all = [build, other, rollback];
    expect(imagesFreedBy([build], all)).toEqual([]);
    expect(imagesFreedBy([build, other], all)).toEqual(["i2"]);
    expect(imagesFreedBy([build, rollback], all)).toEqual(["i1"]);
  });
});
