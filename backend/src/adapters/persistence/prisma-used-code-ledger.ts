import type { UsedCodeLedger } from "../../ports/edge.port.js";
import type { Db } from "./prisma-client.js";

// The primary key makes "first claim wins" atomic across replicas: a second insert of the same
// jti fails with a unique violation. Expired rows are pruned now and then (a code lives 60 s).
export function prismaUsedCodeLedger(db: Db, opts: { now?: () => number } = {}): UsedCodeLedger {
  const now = opts.now ?? Date.now;
  let lastPrune = 0;
  return {
    async claim(jti, expiresAt) {
      if (now() - lastPrune > 60_000) {
        lastPrune = now();
        await db.usedAppAuthCode.deleteMany({ where: { expiresAt: { lt: new Date(now()) } } });
      }
      const inserted = await db.$executeRaw`
        INSERT INTO "UsedAppAuthCode" ("jti", "expiresAt") VALUES (${jti}, ${expiresAt})
        ON CONFLICT ("jti") DO NOTHING`;
      return inserted === 1;
    },
  };
}
