import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const backend = process.env.DEVSANCTUM_API ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    // Same origin for the browser: cookies and the CSRF Origin check just work in development.
    proxy: {
      "/api": { target: backend, changeOrigin: false },
      "/docs": { target: backend, changeOrigin: false },
    },
  },
  build: { outDir: "dist", sourcemap: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/testing/setup.ts"],
    environmentOptions: { jsdom: { url: "http://localhost:3000/" } },
    testTimeout: 15_000,
  },
});
