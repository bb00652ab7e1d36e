// The built-in vite-react template on the real Docker engine, run exactly as its template.json
// says: the dev server answers with the app, and an edit in the volume reaches the browser's
// HMR WebSocket as an `update`.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDocker } from "./helpers/app.js";
import { requestVia } from "./helpers/http-client.js";
import { tarOf } from "./helpers/tar.js";
import { type RunningService, readTemplate, runTemplateService, TEMPLATES_DIR } from "./helpers/template-service.js";
import { hmrSocket } from "./helpers/vite-hmr.js";

const docker = testDocker().docker;

describe("vite-react template: preview service", () => {
  let preview: RunningService;

  beforeAll(async () => {
    preview = await runTemplateService(docker, await readTemplate("vite-react"), "preview");
    console.log(`vite-react preview: create → first 200 in ${Math.round(preview.firstOkMs)} ms`);
  });
  afterAll(async () => {
    await preview?.remove();
  });

  it("runs hardened, as the template says, published on loopback only", async () => {
    const template = await readTemplate("vite-react");
    const spec = template.services.preview!;
    const info = await preview.container.inspect();
    expect(info.Config.Image).toBe(spec.image);
    expect(info.Config.Cmd).toEqual(spec.command);
    expect(info.HostConfig.Init).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(info.HostConfig.SecurityOpt).toContain("no-new-privileges");
    expect(info.HostConfig.Memory).toBe(spec.limits.memoryMb * 1024 * 1024);
    expect(info.HostConfig.PidsLimit).toBe(spec.limits.pids);
    expect(info.NetworkSettings.Ports[`${spec.port}/tcp`]?.[0]?.HostIp).toBe("127.0.0.1");
    // Nothing is installed at run time: the dependencies come with the image.
    const logs = (await preview.container.logs({ stdout: true, stderr: true })).toString("utf8");
    expect(logs).toMatch(/VITE v8\.\d+\.\d+\s+ready/);
    expect(logs).not.toMatch(/npm|added \d+ packages/);
  });

  it("serves the app's page and its transformed App module, under any project hostname", async () => {
    const page = await requestVia(preview.port, "my-app--preview.localhost:8080", "/");
    expect(page.status).toBe(200);
    const html = page.body;
    expect(html).toContain('<div id="root"></div>');
    expect(html).toContain("/@vite/client");
    expect(html).toContain('src="/src/main.tsx"');

    const app = await fetch(`${preview.url}/src/App.tsx`);
    expect(app.status).toBe(200);
    expect(app.headers.get("content-type")).toMatch(/javascript/);
    const code = await app.text();
    expect(code).toContain("Hello from ");
    expect(code).toContain("import.meta.hot"); // React Fast Refresh boundary

    // React itself comes from the image's /node_modules, pre-bundled into the writable cache.
    const reactUrl = /from "(\/@fs\/tmp\/vite\/deps\/react\.js\?v=[^"]+)"/.exec(code)?.[1];
    expect(reactUrl).toBeTruthy();
    const react = await fetch(`${preview.url}${reactUrl}`);
    expect(react.status).toBe(200);
  });

  it("pushes an HMR update over the vite-hmr WebSocket when src/App.tsx changes", async () => {
    const { ws, next } = await hmrSocket({ port: preview.port });
    try {
      await next("connected", 5_000);
      // The seed's own source (fetching `?raw` from Vite would add a module that makes it reload instead).
      const source = await readFile(path.join(TEMPLATES_DIR, "vite-react/files/src/App.tsx"), "utf8");
      const edited = source.replace("Hello from ", "Hot hello from ");
      expect(edited).not.toBe(source);

      const t0 = performance.now();
      await preview.container.putArchive(tarOf([{ name: "App.tsx", content: edited }]), { path: "/app/src" });
      const update = await next("update", 10_000);
      console.log(`vite-react preview: file written → HMR update in ${Math.round(performance.now() - t0)} ms`);
      expect(update.updates).toContainEqual(expect.objectContaining({ type: "js-update", path: "/src/App.tsx" }));
      expect(await (await fetch(`${preview.url}/src/App.tsx`)).text()).toContain("Hot hello from ");
    } finally {
      ws.close();
    }
  });
});
