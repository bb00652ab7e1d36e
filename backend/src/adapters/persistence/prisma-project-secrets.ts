import type { ProjectSecretStore } from "../../ports/project-secrets.port.js";
import type { SecretBox } from "../../shared/secret-box.js";
import type { Db } from "./prisma-client.js";

/** Sealed with "<projectId>:<name>" as AAD: a value copied to another row or name does not open. */
export function prismaProjectSecrets(db: Db, box: SecretBox): ProjectSecretStore {
  const aad = (projectId: string, name: string) => `${projectId}:${name}`;
  const read = async (projectId: string, name: string) => {
    const row = await db.projectSecret.findUnique({ where: { projectId_name: { projectId, name } } });
    return row ? box.open(row.sealed, aad(projectId, name)) : null;
  };
  return {
    async getOrCreate(projectId, name, make) {
      const found = await read(projectId, name);
      if (found !== null) return found;
      // Two replicas may make one at once: the first insert wins, both read it back.
      await db.projectSecret.createMany({
        data: [{ projectId, name, sealed: box.seal(make(), aad(projectId, name)) }],
        skipDuplicates: true,
      });
      const made = await read(projectId, name);
      if (made === null) throw new Error(`project ${projectId} has no ${name} (was it deleted?)`);
      return made;
    },
    async replace(projectId, name, value) {
      const sealed = box.seal(value, aad(projectId, name));
      const row = await db.projectSecret.upsert({
        where: { projectId_name: { projectId, name } },
        create: { projectId, name, sealed },
        update: { sealed, rotatedAt: new Date() },
      });
      return row.rotatedAt;
    },
  };
}
