// The warm pool (issue #16): a template may declare `prewarm: N`; N projects of it are kept
// created, seeded and running, but unowned and unrouted, so POST /projects claims one (owner,
// name, slug set in one write; its next pass renames the containers and publishes the routes)
// instead of starting from nothing.
//
// The keeper is level-triggered like the rest of the reconciler: each refill compares the pool
// with what the templates ask for now, under one lock across processes. It retires instances
// that are stale (made from another version of the template: never claimed), failed, or beyond
// what the template asks or the memory budget allows, and makes new ones up to the count. The
// instances themselves are ordinary projects to the reconciler: created, healed and deleted by
// the same passes. It runs with every re-scan and after each claim.
import { randomBytes } from "node:crypto";
import type { PoolInstance, PoolStore, ProjectLocks } from "../ports/projects.port.js";
import type { TemplateRecord } from "../ports/templates.port.js";
import { instanceMemoryMb, poolKeyOf } from "../shared/warm-pool.js";

export interface WarmPoolDeps {
  store: PoolStore;
  templates: () => Promise<TemplateRecord[]>;
  locks: Pick<ProjectLocks, "tryRun">;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** The sum of the memory limits of every kept instance stays within this (POOL_MEMORY_MB). */
  budgetMb: number;
  /** Hands a made or retired instance to the reconciler. */
  wake: (projectId: string) => void;
}

const LOCK = "warm-pool";
const runsSomething = (t: TemplateRecord) => Boolean(t.services.preview || t.services.opencode);

/** What the pool should hold: instance ids to keep, and how many to make per template. */
async function plan(templates: TemplateRecord[], pool: PoolInstance[], budgetMb: number) {
  let budget = budgetMb;
  const keep = new Set<string>();
  const make: Array<{ template: TemplateRecord; poolKey: string; count: number; short: number }> = [];
  for (const t of templates.filter((x) => x.prewarm > 0 && runsSomething(x))) {
    const poolKey = await poolKeyOf(t);
    const cost = Math.max(1, instanceMemoryMb(t));
    const fits = Math.min(t.prewarm, Math.floor(budget / cost));
    budget -= fits * cost;
    const fresh = pool.filter(
      (i) => i.templateId === t.id && i.poolKey === poolKey && i.desiredState === "running" && i.status !== "failed",
    );
    for (const i of fresh.slice(0, fits)) keep.add(i.id);
    const count = fits - Math.min(fits, fresh.length);
    make.push({ template: t, poolKey, count, short: t.prewarm - fits });
  }
  const retire = pool.filter((i) => !keep.has(i.id) && i.desiredState !== "deleted");
  return { make, retire };
}

export function warmPool(deps: WarmPoolDeps) {
  const { store, log } = deps;
  const warned = new Set<string>();

  async function refillOnce() {
    const [templates, pool] = await Promise.all([deps.templates(), store.listPool()]);
    const { make, retire } = await plan(templates, pool, deps.budgetMb);
    for (const i of retire) {
      // false: claimed since the listing; it is somebody's project now.
      if (!(await store.retirePooled(i.id))) continue;
      deps.wake(i.id);
      const why = i.status === "failed" ? "it failed" : "stale, or more than the template and the budget ask for";
      log.info({ projectId: i.id, templateId: i.templateId }, `warm pool: retiring an instance (${why})`);
    }
    for (const { template, poolKey, count, short } of make) {
      for (let n = 0; n < count; n++) {
        const { id } = await store.createPooled({
          templateId: template.id,
          slug: `pool-${randomBytes(6).toString("hex")}`,
          poolKey,
        });
        deps.wake(id);
        log.info({ projectId: id, template: template.slug }, "warm pool: making an instance");
      }
      if (short > 0 && !warned.has(template.id)) {
        warned.add(template.id);
        log.warn(
          { template: template.slug, prewarm: template.prewarm, budgetMb: deps.budgetMb },
          `warm pool: ${short} of prewarm ${template.prewarm} for ${template.slug} do not fit in POOL_MEMORY_MB=${deps.budgetMb} (each instance's limits are ${instanceMemoryMb(template)} MB)`,
        );
      }
      if (short === 0) warned.delete(template.id);
    }
  }

  // One refill at a time in a process; one asked for meanwhile runs once more after it.
  let running: Promise<void> | null = null;
  let again = false;
  async function loop() {
    do {
      again = false;
      try {
        await deps.locks.tryRun(LOCK, refillOnce);
      } catch (err) {
        log.warn({ err }, `warm pool: refill failed: ${(err as Error).message}`);
      }
    } while (again);
  }
  return {
    /** Brings the pool to what the templates ask for; resolves once this refill is done. */
    refill(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = loop().finally(() => {
        running = null;
      });
      return running;
    },
  };
}

export type WarmPool = ReturnType<typeof warmPool>;
