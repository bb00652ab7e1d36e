// The built-in template's manifest against the templates module's schema (the contract's
// ServiceSpec), and its files seed.
import { access, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TemplateManifest } from "../src/modules/templates/templates.schemas.js";
import { readTemplate, TEMPLATES_DIR } from "./helpers/template-service.js";

const files = path.join(TEMPLATES_DIR, "vite-react/files");
const json = async (name: string) => JSON.parse(await readFile(path.join(files, name), "utf8"));

describe("vite-react template.json", () => {
  it("is a valid built-in template manifest (the schema the control plane seeds it with)", async () => {
    const raw = JSON.parse(await readFile(path.join(TEMPLATES_DIR, "vite-react/template.json"), "utf8"));
    const manifest = TemplateManifest.parse(raw);
    expect(manifest.slug).toBe("vite-react");
    expect(manifest.services.preview?.command[0]).toBe("vite");
  });

  it("runs on the images scripts/prepare-template-images.sh builds, never a registry image", async () => {
    const { services } = await readTemplate("vite-react");
    expect(services.preview?.image).toMatch(/^devsanctum\/vite-react:\d+$/);
    expect(services.production?.image).toBe(services.preview?.image);
    // The tag is the npm version of opencode-linux-x64 the image is built from, then the
    // image's own revision (git and the agent's state directory went in with it); the SDK the control plane speaks to it with is pinned to that version.
    expect(services.opencode?.image).toMatch(/^devsanctum\/opencode:\d+\.\d+\.\d+-\d+$/);
    const sdk = JSON.parse(await readFile(path.resolve(import.meta.dirname, "../package.json"), "utf8")).dependencies[
      "@opencode-ai/sdk"
    ];
    expect(services.opencode?.image.split(":")[1]?.split("-")[0]).toBe(sdk);
    // Its sessions live on a volume of their own, kept when the container is replaced.
    expect(services.opencode?.stateDir).toBe("/home/node/.local/share/opencode");
    expect(services.opencode?.env).toMatchObject({ OPENCODE_DISABLE_MODELS_FETCH: "1" });
    // The password is the control plane's to inject per project, never in the template.
    expect(JSON.stringify(services)).not.toContain("OPENCODE_SERVER_PASSWORD");
  });

  it("seeds a runnable starter whose dependencies are pinned exactly and locked", async () => {
    for (const f of ["index.html", "vite.config.ts", "src/main.tsx", "src/App.tsx", "package-lock.json"]) {
      await access(path.join(files, f));
    }
    const pkg = await json("package.json");
    const lock = await json("package-lock.json");
    const pinned = { ...pkg.dependencies, ...pkg.devDependencies } as Record<string, string>;
    expect(Object.keys(pinned)).toEqual(expect.arrayContaining(["vite", "@vitejs/plugin-react", "react", "react-dom"]));
    for (const [name, version] of Object.entries(pinned)) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(lock.packages[`node_modules/${name}`]?.version, `${name} in package-lock.json`).toBe(version);
    }
    expect(await readFile(path.join(files, "src/App.tsx"), "utf8")).toContain("Hello from ");
  });
});
