// The project-wide resources a running project needs before any of its services: images, its
// own network (joined by the containers that must reach it), its files volume, and the
// template's files copied in once. Each is ensured every pass, so one removed from outside
// (a network deleted by hand) is simply made again.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ProjectRecord } from "../ports/projects.port.js";
import type { ServiceSpec, TemplateRecord } from "../ports/templates.port.js";
import type { ConvergerContext } from "./converger-context.js";
import type { OperationProgress } from "./operation-progress.js";

/**
 * What a template without files is seeded with: an empty `.git` folder (the history's, which it
 * initialises next). An empty volume is not enough: Docker gives an empty volume the owner of
 * the mount point of whichever image mounts it, so the workspace's image (not the template's)
 * would own it and a root template's services could not write their own files. Made for each
 * seed and removed after it, so no process leaves one behind in the temp directory.
 */
async function withSeedDir<T>(filesSeed: string | null, fn: (sourceDir: string) => Promise<T>): Promise<T> {
  if (filesSeed) return fn(filesSeed);
  const dir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-empty-seed-"));
  try {
    await mkdir(path.join(dir, ".git"));
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function ensureProjectResources(
  ctx: ConvergerContext,
  p: ProjectRecord,
  template: TemplateRecord,
  specs: ReadonlyArray<readonly [string, ServiceSpec]>,
  progress: OperationProgress,
) {
  const { runtime, store, attachContainers = [] } = ctx.deps;
  await progress.run("pull", async (report) => {
    const images = [...new Set(specs.map(([, s]) => s.image))];
    for (const [i, image] of images.entries()) {
      if (await runtime.imagePresent(image)) continue;
      await runtime.pullImage(image, (pp) => report((100 * i + pp.percent) / images.length, `${image}: ${pp.message}`));
    }
  });
  const network = ctx.names.network(p.id);
  const volume = ctx.names.volume(p.id);
  await progress.run("network", async () => {
    await runtime.ensureNetwork(network, ctx.projectLabels(p));
    for (const c of attachContainers) await runtime.connectNetwork(network, c);
  });
  await progress.run("volume", () => runtime.ensureVolume(volume, ctx.projectLabels(p)));
  if (p.seededAt) return { network, volume };
  const first = specs[0]?.[1];
  if (first) {
    await progress.run("seed", async () => {
      await withSeedDir(template.filesSeed, (sourceDir) =>
        runtime.copyIntoVolume({ volume, image: first.image, sourceDir, labels: ctx.serviceLabels(p, "seed") }),
      );
      await ctx.deps.initRepository?.(p);
    });
  } else {
    await progress.skip("seed", "the template has no services to seed files for");
    await ctx.deps.initRepository?.(p);
  }
  await store.markSeeded(p.id);
  return { network, volume };
}
