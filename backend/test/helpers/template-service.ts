import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type Docker from "dockerode";
import type { z } from "zod";
import { TemplateManifest } from "../../src/modules/templates/templates.schemas.js";
import { tarEntriesOf, tarOf } from "./tar.js";

export const TEMPLATES_DIR = path.resolve(import.meta.dirname, "../../templates");

export type BuiltInTemplate = z.infer<typeof TemplateManifest>;

export async function readTemplate(slug: string): Promise<BuiltInTemplate> {
  return TemplateManifest.parse(JSON.parse(await readFile(path.join(TEMPLATES_DIR, slug, "template.json"), "utf8")));
}

const testRunLabel = () => {
  process.env.DEVSANCTUM_TEST_RUN ??= `local-${Date.now().toString(36)}`;
  return { "devsanctum.test-run": process.env.DEVSANCTUM_TEST_RUN };
};

export interface RunningService {
  container: Docker.Container;
  volume: string;
  url: string;
  port: number;
  /** ms from createContainer to the container's first HTTP 200 on its health-check path. */
  firstOkMs: number;
  remove(): Promise<void>;
}

/**
 * Runs one service of a template the way the contract says a project's container runs:
 * its image, command, workdir, env and limits, Init, all capabilities dropped unless asked,
 * no-new-privileges, the port published on 127.0.0.1 only, the files seed in a named volume at /app.
 */
export async function runTemplateService(
  docker: Docker,
  template: BuiltInTemplate,
  kind: keyof BuiltInTemplate["services"],
  opts: {
    /** Share another service's volume (its files are already seeded). */
    volume?: string;
    /** What the control plane adds to the template's env (e.g. OPENCODE_SERVER_PASSWORD). */
    env?: Record<string, string>;
    healthHeaders?: Record<string, string>;
  } = {},
): Promise<RunningService> {
  const spec = template.services[kind];
  if (!spec) throw new Error(`template ${template.slug} has no ${kind} service`);
  const labels = { ...testRunLabel(), "devsanctum.template": template.slug, "devsanctum.kind": kind };
  const volume = opts.volume ?? `devsanctum-test-${template.slug}-${randomBytes(4).toString("hex")}`;
  if (!opts.volume) await docker.createVolume({ Name: volume, Labels: labels });
  const portKey = `${spec.port}/tcp`;
  const t0 = performance.now();
  const container = await docker.createContainer({
    Image: spec.image,
    Cmd: spec.command,
    ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
    Env: Object.entries({ ...spec.env, ...opts.env }).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    ExposedPorts: { [portKey]: {} },
    HostConfig: {
      Init: true,
      Memory: spec.limits.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(spec.limits.cpus * 1e9),
      PidsLimit: spec.limits.pids,
      CapDrop: ["ALL"],
      CapAdd: spec.capabilities ?? [],
      SecurityOpt: ["no-new-privileges"],
      PortBindings: { [portKey]: [{ HostIp: "127.0.0.1", HostPort: "" }] },
      Mounts: [{ Type: "volume", Source: volume, Target: "/app" }],
    },
  });
  const remove = async () => {
    await container.remove({ force: true }).catch(() => {});
    if (!opts.volume) await docker.getVolume(volume).remove({ force: true });
  };
  try {
    if (!opts.volume) {
      const seed = path.join(TEMPLATES_DIR, template.slug, template.filesSeed ?? "files");
      await container.putArchive(tarOf(await tarEntriesOf(seed)), { path: "/app" });
    }
    await container.start();
    const info = await container.inspect();
    const hostPort = info.NetworkSettings.Ports[portKey]?.[0]?.HostPort;
    if (!hostPort) throw new Error(`${kind}: port ${portKey} is not published`);
    const url = `http://127.0.0.1:${hostPort}`;
    const deadline = Date.now() + spec.healthCheck.intervalMs * spec.healthCheck.retries;
    for (;;) {
      try {
        const res = await fetch(`${url}${spec.healthCheck.path}`, {
          signal: AbortSignal.timeout(spec.healthCheck.timeoutMs),
          headers: opts.healthHeaders ?? {},
        });
        if (res.status === 200) break;
      } catch {}
      if (Date.now() > deadline) {
        const logs = await container.logs({ stdout: true, stderr: true, tail: 50 });
        throw new Error(`${kind} did not answer 200 at ${url}${spec.healthCheck.path}:\n${logs.toString("utf8")}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return { container, volume, url, port: Number(hostPort), firstOkMs: performance.now() - t0, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
