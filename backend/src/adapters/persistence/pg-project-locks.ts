import pg from "pg";
import type { ProjectLocks } from "../../ports/projects.port.js";

// Session-level advisory locks on dedicated connections: a lock lives exactly as long as
// the worker holding it, and a killed process loses its locks with its connections.
// `namespace` keeps independent workers of one project apart: the reconciler, the agent's
// prompt worker, the deployer's long builds never hold each other up.
export function pgProjectLocks(
  databaseUrl: string,
  opts: { maxConnections: number; namespace?: string },
): ProjectLocks {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.maxConnections });
  pool.on("error", () => {}); // an idle connection dropped by the server; the pool replaces it
  const namespace = opts.namespace ?? "devsanctum.project";
  const key = "SELECT hashtextextended($2::text || ':' || $1::text, 0) AS k";
  return {
    async tryRun(projectId, fn) {
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock((${key})) AS locked`, [
          projectId,
          namespace,
        ]);
        if (!rows[0]?.locked) return { ran: false };
        try {
          return { ran: true, value: await fn() };
        } finally {
          await client.query(`SELECT pg_advisory_unlock((${key}))`, [projectId, namespace]);
        }
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
