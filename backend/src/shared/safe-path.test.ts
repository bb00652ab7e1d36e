// Regression: "open redirect through next" (issue #10): safePath pattern-matched, and browsers
// drop tab/CR/LF, so "/\t/evil.example" turned into "//evil.example"; CR/LF made a 500.
import { describe, expect, it } from "vitest";
import { safePath } from "./safe-path.js";

describe("safePath", () => {
  it("keeps a local path with its query and fragment", () => {
    expect(safePath("/projects/1?tab=files#x")).toBe("/projects/1?tab=files#x");
    expect(safePath("/")).toBe("/");
  });

  it.each([
    ["protocol-relative", "//evil.example/x"],
    ["tab dropped by browsers", "/\t/evil.example"],
    ["newline dropped by browsers", "/\n/evil.example"],
    ["CR/LF header injection", "/x\r\nSet-Cookie: a=b"],
    ["backslash", "/\\evil.example"],
    ["absolute URL", "https://evil.example/"],
    ["scheme-ish", "javascript:alert(1)"],
    ["NUL", "/a\u0000b"],
    ["empty", ""],
    ["relative", "projects"],
  ])("refuses %s", (_why, path) => {
    expect(safePath(path)).toBe("/");
  });

  it("normalises dot segments without leaving the origin", () => {
    expect(safePath("/a/../../b")).toBe("/b");
  });
});
