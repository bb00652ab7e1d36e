// Fails on purpose. Run only by ci-self-check.test.ts, never by the suite itself (the suite's
// include pattern is *.test.ts): it proves a red test makes the test command exit non-zero.
import { expect, it } from "vitest";

it("fails on purpose", () => {
  expect(1 + 1).toBe(3);
});
