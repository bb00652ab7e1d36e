import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Runs as is on your machine (`npm install && npm run dev`) and inside DevSanctum, where the
// page is served through the edge at http(s)://<project>--preview.<domain>:<edge port>.
// DevSanctum passes the project's slug; the page greets with it (src/project.ts). Guarded:
// process.env turns an assigned undefined into the string "undefined".
if (process.env.DEVSANCTUM_PROJECT) process.env.VITE_PROJECT_NAME ??= process.env.DEVSANCTUM_PROJECT;

export default defineConfig({
  plugins: [react()],
  // DevSanctum's image keeps the dependency cache out of the project files.
  cacheDir: process.env.VITE_CACHE_DIR ?? "node_modules/.vite",
  server: {
    host: "0.0.0.0",
    port: 5173,
    strictPort: true,
    // Requests arrive with the project's own hostname (<slug>--preview.<domain>).
    allowedHosts: true,
    // The HMR client connects back to the host, port and protocol the page was loaded from
    // (the edge), not to the container's port 5173. VITE_HMR_CLIENT_PORT pins the port when
    // a proxy rewrites it.
    hmr: process.env.VITE_HMR_CLIENT_PORT ? { clientPort: Number(process.env.VITE_HMR_CLIENT_PORT) } : {},
  },
  preview: { host: "0.0.0.0", port: 4173, strictPort: true, allowedHosts: true },
});
