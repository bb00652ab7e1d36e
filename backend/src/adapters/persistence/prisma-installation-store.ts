import type { InstallationStore } from "../../ports/installation.port.js";
import type { Db } from "./prisma-client.js";

export function prismaInstallationStore(db: Db): InstallationStore {
  return {
    async get() {
      return (await db.installation.findUnique({ where: { id: 1 } }))?.installId ?? null;
    },
    async claim(installId) {
      await db.$executeRaw`INSERT INTO "Installation" ("id", "installId") VALUES (1, ${installId}) ON CONFLICT ("id") DO NOTHING`;
      return (await db.installation.findUniqueOrThrow({ where: { id: 1 } })).installId;
    },
    async hasProjects() {
      return (await db.project.count({ take: 1 })) > 0;
    },
  };
}
