import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // One embedded PostgreSQL for the whole run; each test file gets its own database.
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    // Vitest's default on this 2-core machine is one worker (cores - 1): the run was serial while
    // most files wait on Docker, OpenCode or an idle timeout. Two workers: 661 s -> 411 s, same
    // results (each file has its own database, install id and labels, so files never share state).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
