import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client.js";
import type { DatabaseProbe } from "../../ports/database.port.js";
import { prismaErrorCode } from "./prisma-error-code.js";

export type Db = PrismaClient;

export function createPrismaClient(
  databaseUrl: string,
  opts: { maxConnections?: number; onError?: (code: string) => void } = {},
): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.maxConnections ?? 10 });
  const client = new PrismaClient({ adapter });
  const { onError } = opts;
  if (!onError) return client;
  // Every model call and raw query, inside transactions too: the one place all of them pass.
  // The extended client keeps PrismaClient's surface; its type only adds the extension.
  return client.$extends({
    query: {
      async $allOperations({ args, query }) {
        try {
          return await query(args);
        } catch (err) {
          onError(prismaErrorCode(err));
          throw err;
        }
      },
    },
  }) as unknown as Db;
}

export function prismaDatabaseProbe(db: Db): DatabaseProbe {
  return {
    async ping() {
      await db.$queryRaw`SELECT 1`;
    },
  };
}
