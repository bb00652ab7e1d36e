// Regression: "data loss: one install deletes another's projects" (issue #10). `pnpm bench`
// started a control plane with the default INSTALL_ID and an empty database; its reconciler's
// sweep removed the containers, the network and the files volume of a project of the
// DevSanctum running on the same engine. The install id is now bound to the database, and a
// sweep never removes what belongs to a project its database has never known.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaInstallationStore } from "../src/adapters/persistence/prisma-installation-store.js";
import { bindInstallId, InstallIdMismatch } from "../src/composition/installation.js";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { freePort, startControlPlane } from "./helpers/process.js";
import {
  createStandInTemplate,
  eventually,
  type ProjectsHarness,
  projectsHarness,
  removeByInstall,
} from "./helpers/projects.js";

const databases: TestDatabase[] = [];
const fresh = async () => {
  const d = await createTestDatabase();
  databases.push(d);
  return d;
};
afterAll(async () => {
  for (const d of databases) await d.drop();
});

describe("the install id is the database's", () => {
  it("is made once at the first start and kept; INSTALL_ID pins a new one and must match after", async () => {
    const a = prismaInstallationStore((await fresh()).db);
    const made = await bindInstallId(a, undefined);
    expect(made).toMatch(/^i[0-9a-f]{8}$/);
    expect(await bindInstallId(a, undefined)).toBe(made);
    expect(await bindInstallId(a, made)).toBe(made);
    const mismatch = await bindInstallId(a, "other").catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(InstallIdMismatch);
    expect((mismatch as Error).message).toContain(`INSTALL_ID=other, but this database belongs to install "${made}"`);

    const b = prismaInstallationStore((await fresh()).db);
    expect(await bindInstallId(b, "pinned")).toBe("pinned");
    // Two databases never share a made-up id.
    const c = prismaInstallationStore((await fresh()).db);
    expect(await bindInstallId(c, undefined)).not.toBe(made);
  });

  it("keeps 'default' for a database that has projects from before ids were stored", async () => {
    const database = await fresh();
    const user = await signedInUser(database.db);
    const template = await createStandInTemplate(database);
    await database.db.project.create({
      data: {
        slug: `old-${randomBytes(3).toString("hex")}`,
        name: "Old",
        ownerId: user.user.id,
        templateId: template.id,
      },
    });
    expect(await bindInstallId(prismaInstallationStore(database.db), undefined)).toBe("default");
  });

  it("agrees on one id when two replicas start on a new database at once", async () => {
    const store = prismaInstallationStore((await fresh()).db);
    const ids = await Promise.all([bindInstallId(store, undefined), bindInstallId(store, undefined)]);
    expect(ids[0]).toBe(ids[1]);
  });

  it("refuses to start with one clear line when INSTALL_ID does not match the database", async () => {
    const database = await fresh();
    await bindInstallId(prismaInstallationStore(database.db), "bound-one");
    const cp = startControlPlane({
      DATABASE_URL: database.url,
      SECRET_KEY: randomBytes(32).toString("hex"),
      INSTALL_ID: "someone-else",
      PORT: String(await freePort()),
      EDGE_PORT: "0",
      RECONCILER_ENABLED: "false",
    });
    expect(await cp.exited).toBe(1);
    const line = cp
      .output()
      .split("\n")
      .find((l) => l.startsWith("devsanctum: "));
    expect(line).toContain('INSTALL_ID=someone-else, but this database belongs to install "bound-one"');
  }, 60_000);
});

describe("a sweep on another database with the same install id", () => {
  let first: ProjectsHarness;
  let firstDb: TestDatabase;
  let second: ProjectsHarness;
  const warnings: string[] = [];

  beforeAll(async () => {
    firstDb = await fresh();
    first = await projectsHarness(firstDb, { intervalMs: 60_000 });
    // The old default: a second install on the same engine under the same label.
    second = await projectsHarness(await fresh(), {
      intervalMs: 60_000,
      installId: first.installId,
      log: { info: () => {}, warn: (_o, m) => warnings.push(m ?? ""), error: () => {} },
    });
  });
  afterAll(async () => {
    // Both reconcilers stop before either cleans up: the two share an install id, and one would
    // heal (recreate) what the other's cleanup removes.
    await first?.reconciler.stop();
    await second?.reconciler.stop();
    await second?.close();
    await first?.close();
    if (first) await removeByInstall(first.runtime, first.installId);
  });

  it("leaves the other install's project alone (containers, network, files volume) and reports it once", async () => {
    const database = firstDb;
    const owner = await signedInUser(database.db);
    const templateId = (await createStandInTemplate(database)).id;
    const created = await first.app.inject({
      method: "POST",
      url: "/api/v1/projects",
      headers: owner.headers,
      payload: { name: "Precious", templateId },
    });
    const id = created.json().project.id as string;
    await eventually(
      async () => (await first.app.inject({ url: `/api/v1/projects/${id}`, headers: owner.headers })).json(),
      (p) => p.status === "running",
    );
    const labels = { "devsanctum.project": id };
    const before = {
      containers: (await first.runtime.listContainers(labels)).length,
      networks: (await first.runtime.listNetworks(labels)).length,
      volumes: (await first.runtime.listVolumes(labels)).length,
    };
    expect(before).toEqual({ containers: 1, networks: 1, volumes: 1 });

    await second.reconciler.scan();
    await second.reconciler.scan();
    expect({
      containers: (await first.runtime.listContainers(labels)).length,
      networks: (await first.runtime.listNetworks(labels)).length,
      volumes: (await first.runtime.listVolumes(labels)).length,
    }).toEqual(before);
    expect(warnings.filter((w) => w.includes("never known"))).toHaveLength(1);
  });
});
