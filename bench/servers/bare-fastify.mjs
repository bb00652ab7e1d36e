// Baseline: the smallest Fastify server that answers like /healthz.
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get("/healthz", async () => ({ status: "ok" }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
