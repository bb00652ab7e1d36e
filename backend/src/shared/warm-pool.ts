// What the warm pool (reconciler/warm-pool.ts) and a claim (POST /projects) agree on: which
// template content an instance was made from, and what one instance costs of the memory budget.
import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { TemplateRecord } from "../ports/templates.port.js";

/** The kinds a pool instance runs (production is the deployer's, made on a deploy). */
const POOLED_KINDS = ["preview", "opencode"] as const;

/** Names, sizes and modification times of the seed folder: an edited seed file changes the key. */
async function seedDigest(dir: string, hash: ReturnType<typeof createHash>) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  for (const file of files) {
    const s = await stat(file);
    hash.update(`${path.relative(dir, file)}\0${s.size}\0${s.mtimeMs}\n`);
  }
}

/**
 * The key of the template as an instance would be made of it now: its services (images,
 * commands, env, limits) and its seed files. An instance whose key differs is stale: never
 * claimed, drained and replaced.
 */
export async function poolKeyOf(t: Pick<TemplateRecord, "id" | "services" | "filesSeed">): Promise<string> {
  const hash = createHash("sha256").update(JSON.stringify({ id: t.id, services: t.services, seed: t.filesSeed }));
  if (t.filesSeed) await seedDigest(t.filesSeed, hash);
  return hash.digest("hex").slice(0, 24);
}

/** What one instance may use: the memory limits of the services it runs, in MB. */
export function instanceMemoryMb(t: Pick<TemplateRecord, "services">): number {
  return POOLED_KINDS.reduce((sum, k) => sum + (t.services[k]?.limits.memoryMb ?? 0), 0);
}
