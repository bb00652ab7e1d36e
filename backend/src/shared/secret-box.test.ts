import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { secretBox } from "./secret-box.js";

describe("secretBox", () => {
  const box = secretBox(randomBytes(32));

  it("opens what it sealed, and never stores the plain text", () => {
    const sealed = box.seal("sk-live-1234567890", "project-a");
    expect(sealed).not.toContain("sk-live");
    expect(sealed.startsWith("v1.")).toBe(true);
    expect(box.open(sealed, "project-a")).toBe("sk-live-1234567890");
  });

  it("seals the same value differently every time (random IV)", () => {
    expect(box.seal("same")).not.toBe(box.seal("same"));
  });

  it("refuses a value sealed for another row, by another key, or tampered with", () => {
    const sealed = box.seal("secret", "project-a");
    expect(() => box.open(sealed, "project-b")).toThrow();
    expect(() => secretBox(randomBytes(32)).open(sealed, "project-a")).toThrow();
    const parts = sealed.split(".");
    const data = Buffer.from(parts[3] as string, "base64url");
    data[0] = (data[0] as number) ^ 1;
    expect(() => box.open([...parts.slice(0, 3), data.toString("base64url")].join("."), "project-a")).toThrow();
    expect(() => box.open("plain-text")).toThrow("not a sealed secret");
  });
});
