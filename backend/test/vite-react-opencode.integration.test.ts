// The vite-react template's OpenCode service on the real Docker engine, beside its preview on
// the same project volume: the server answers only with the password the control plane
// injects, and a prompt makes the agent edit src/App.tsx, which the preview pushes as an HMR
// update. The model is a scripted fake inside the agent's container: no network, no key.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_OPENAI_SOURCE, fakeProviderConfig } from "./fixtures/fake-openai.js";
import { testDocker } from "./helpers/app.js";
import { tarOf } from "./helpers/tar.js";
import { type RunningService, readTemplate, runTemplateService } from "./helpers/template-service.js";
import { hmrSocket } from "./helpers/vite-hmr.js";

const docker = testDocker().docker;
const password = randomBytes(16).toString("hex");
const basic = { authorization: `Basic ${Buffer.from(`opencode:${password}`).toString("base64")}` };
let preview: RunningService;
let agent: RunningService;

beforeAll(async () => {
  const template = await readTemplate("vite-react");
  preview = await runTemplateService(docker, template, "preview");
  agent = await runTemplateService(docker, template, "opencode", {
    volume: preview.volume,
    env: { OPENCODE_SERVER_PASSWORD: password, OPENCODE_CONFIG_CONTENT: fakeProviderConfig() },
    healthHeaders: basic,
  });
  console.log(`vite-react opencode: create → first 200 in ${Math.round(agent.firstOkMs)} ms`);
}, 90_000);

afterAll(async () => {
  await agent?.remove();
  await preview?.remove();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${agent.url}${path}`, { ...init, headers: { ...basic, "content-type": "application/json", ...init.headers } });

describe("vite-react template: opencode service", () => {
  it("answers its health check only with the injected password", async () => {
    const health = await api("/global/health");
    expect(health.status).toBe(200);
    const spec = (await readTemplate("vite-react")).services.opencode!;
    expect(await health.json()).toMatchObject({ healthy: true, version: spec.image.split(":")[1]?.split("-")[0] });
    expect((await fetch(`${agent.url}/global/health`)).status).toBe(401);
    const info = await agent.container.inspect();
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(info.Config.User).toBe("node");
  });

  it("edits the project's files on a prompt, and the preview hot-updates", async () => {
    const heading = `Hello from the agent ${randomBytes(3).toString("hex")}`;
    await agent.container.putArchive(tarOf([{ name: "fake-openai.cjs", content: FAKE_OPENAI_SOURCE }]), {
      path: "/tmp",
    });
    const fake = await agent.container.exec({
      Cmd: ["node", "/tmp/fake-openai.cjs", "18181"],
      Env: [
        "FAKE_TARGET_FILE=/app/src/App.tsx",
        `FAKE_TARGET_CONTENT=export function App() {\n  return <h1>${heading}</h1>;\n}\n`,
      ],
    });
    await fake.start({ Detach: true });

    const { ws, next } = await hmrSocket({ port: preview.port });
    try {
      await next("connected", 5_000);
      expect((await (await fetch(`${preview.url}/src/App.tsx`)).text()).includes(heading)).toBe(false);

      const session = await api("/session", { method: "POST", body: "{}" });
      expect(session.status).toBe(200);
      const { id } = (await session.json()) as { id: string };
      const prompt = await api(`/session/${id}/prompt_async`, {
        method: "POST",
        body: JSON.stringify({
          model: { providerID: "fake", modelID: "fake-model" },
          parts: [{ type: "text", text: "Change the heading of src/App.tsx" }],
        }),
      });
      expect(prompt.status).toBeLessThan(300);

      const update = await next("update", 30_000);
      expect(update.updates).toContainEqual(expect.objectContaining({ path: "/src/App.tsx" }));
      expect(await (await fetch(`${preview.url}/src/App.tsx`)).text()).toContain(heading);
    } finally {
      ws.close();
    }
  }, 60_000);
});
