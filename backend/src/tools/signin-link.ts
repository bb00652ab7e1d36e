// Prints a new one-time sign-in link for the owner (single use, 15 minutes).
//   pnpm signin-link         (from the repository root, after a build)
// Uses DATABASE_URL, or the embedded PostgreSQL: the running one, else it starts it briefly.
import {
  databaseAnswers,
  type EmbeddedDatabase,
  embeddedDatabaseUrl,
  startEmbeddedPostgres,
} from "../adapters/persistence/embedded-postgres.js";
import { applyMigrations } from "../adapters/persistence/migrate.js";
import { createPrismaClient } from "../adapters/persistence/prisma-client.js";
import { composeAudit } from "../composition/audit.js";
import { composeIdentity } from "../composition/identity.js";
import { ConfigError, loadConfig } from "../config/config.js";
import { loadRootSecret } from "../config/secrets.js";

async function main() {
  const config = loadConfig();
  let embedded: EmbeddedDatabase | null = null;
  let url: string;
  if ("url" in config.database) {
    url = config.database.url;
  } else {
    url = await embeddedDatabaseUrl(config.database.embedded.dataDir, config.database.embedded.port);
    if (!(await databaseAnswers(url))) {
      embedded = await startEmbeddedPostgres(config.database.embedded);
      url = embedded.url;
    }
  }
  try {
    await applyMigrations(url);
    const db = createPrismaClient(url, { maxConnections: 1 });
    try {
      const rootSecret = await loadRootSecret({ secretKey: config.secretKey, dataDir: config.dataDir });
      const audit = composeAudit(db, { warn: (_o, m) => console.error(`devsanctum signin-link: ${m}`) });
      const { sessions } = await composeIdentity({
        db,
        rootSecret,
        publicUrl: config.publicUrl,
        auth: config.auth,
        audit,
      });
      const link = await sessions.createLoginLink();
      console.log(`Sign in (one-time link, valid until ${link.expiresAt.toISOString()}):\n${link.url}`);
    } finally {
      await db.$disconnect();
    }
  } finally {
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(`devsanctum signin-link: ${err instanceof ConfigError ? err.message : (err as Error).stack}`);
  process.exit(1);
});
