import { describe, expect, it } from "vitest";
import { isReserved, SLUG_MAX, slugCandidate, slugify } from "./project-slug.js";

describe("project slugs", () => {
  it.each([
    ["My First App", "my-first-app"],
    ["Crème Brûlée", "creme-brulee"],
    ["a--b", "a-b"],
    ["  --Hello__World--  ", "hello-world"],
    ["UPPER 123", "upper-123"],
    ["!!!", null],
    ["日本語", null],
  ])("%j → %j", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it("keeps at most 40 characters and never ends on '-'", () => {
    const slug = slugify(`${"abcdefghi ".repeat(4)}x`);
    expect(slug?.length).toBeLessThanOrEqual(SLUG_MAX);
    expect(slug).not.toMatch(/-$/);
  });

  it("suffixes within the limit", () => {
    expect(slugCandidate("shop", 1)).toBe("shop");
    expect(slugCandidate("shop", 2)).toBe("shop-2");
    const long = "a".repeat(40);
    expect(slugCandidate(long, 12)).toBe(`${"a".repeat(37)}-12`);
  });

  it("refuses the platform's own names", () => {
    for (const name of ["www", "api", "admin", "traefik", "console", "docs"]) expect(isReserved(name)).toBe(true);
    expect(isReserved("deleted-123")).toBe(true);
    expect(isReserved("my-app")).toBe(false);
  });
});
