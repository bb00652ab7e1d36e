import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client.js";
import type { DatabaseProbe } from "../../ports/database.port.js";

export type Db = PrismaClient;

export function createPrismaClient(databaseUrl: string, opts: { maxConnections?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}

export function prismaDatabaseProbe(db: Db): DatabaseProbe {
  return {
    async ping() {
      await db.$queryRaw`SELECT 1`;
    },
  };
}
