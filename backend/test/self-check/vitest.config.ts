import { defineConfig } from "vitest/config";

// The suite's own global set-up (embedded PostgreSQL, migrations) around one failing test:
// the set-up once turned every red run into exit code 0 (see ci-self-check.test.ts).
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["deliberately-failing.check.ts"],
    globalSetup: ["../global-setup.ts"],
    pool: "forks",
  },
});
