import { describe, expect, it } from "vitest";
import type { ProjectRecord } from "../ports/projects.port.js";
import { idleLongEnough } from "./idle-policy.js";

const t0 = new Date("2026-12-02T12:00:00Z");
const project = (over: Partial<ProjectRecord> = {}): ProjectRecord => ({
  ...{ id: "p", name: "P", slug: "p", templateId: "t", templateName: "T", prompt: null, ownerId: "u" },
  ...{ poolKey: null },
  ...{ desiredState: "running", keepData: false, status: "running", statusMessage: null, generation: 1 },
  ...{ seededAt: t0, lastActivityAt: t0, createdAt: t0, updatedAt: t0, services: [] },
  ...{ idleTimeoutSeconds: null, sleptAt: null, productionIdle: false },
  ...over,
});
const at = (s: number) => t0.getTime() + s * 1000;
const inputs = (nowS: number, more: { lastSeen?: number; openSockets?: number } = {}) => ({
  now: at(nowS),
  defaultTimeoutS: 900,
  lastSeen: more.lastSeen,
  openSockets: more.openSockets ?? 0,
});

describe("idleLongEnough", () => {
  it("sleeps after the installation default, or the project's own timeout", () => {
    expect(idleLongEnough(project(), inputs(899))).toBe(false);
    expect(idleLongEnough(project(), inputs(900))).toBe(true);
    expect(idleLongEnough(project({ idleTimeoutSeconds: 60 }), inputs(60))).toBe(true);
  });

  it("never for an unclaimed warm-pool instance: it is kept running for the next create", () => {
    expect(idleLongEnough(project({ ownerId: null, poolKey: "k" }), inputs(1e6))).toBe(false);
  });

  it("0 means never", () => {
    expect(idleLongEnough(project({ idleTimeoutSeconds: 0 }), inputs(1e6))).toBe(false);
  });

  it("unflushed activity, a row write (it just came up) and an open WebSocket keep it awake", () => {
    expect(idleLongEnough(project(), inputs(1000, { lastSeen: at(200) }))).toBe(false);
    expect(idleLongEnough(project({ updatedAt: new Date(at(500)) }), inputs(1000))).toBe(false);
    expect(idleLongEnough(project(), inputs(1e6, { openSockets: 1 }))).toBe(false);
  });

  it("never while the agent works, nor for a project not plainly running and awake", () => {
    const working = { projectId: "p", state: "working" as const, sessionId: "s", message: null, lastEventAt: t0 };
    const agent = { ...working, setup: "ready" as const, setupMessage: null, initialPromptId: null };
    expect(idleLongEnough(project({ agent }), inputs(1e6))).toBe(false);
    expect(idleLongEnough(project({ status: "starting" }), inputs(1e6))).toBe(false);
    expect(idleLongEnough(project({ desiredState: "stopped" }), inputs(1e6))).toBe(false);
    expect(idleLongEnough(project({ sleptAt: t0 }), inputs(1e6))).toBe(false);
  });
});
