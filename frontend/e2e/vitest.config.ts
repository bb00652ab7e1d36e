import { defineConfig } from "vitest/config";

// The console end to end: the built backend as a child process (embedded PostgreSQL, the local
// Docker engine, the builtin edge) driven through Debian's Chromium with playwright-core.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["**/*.e2e.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
