import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SECURED } from "../../http/auth-hooks.js";
import type { ContainerRuntime } from "../../ports/container-runtime.port.js";
import { errorResponses } from "../../shared/schemas.js";

const SystemInfo = z
  .object({
    version: z.string(),
    docker: z.object({ version: z.string(), apiVersion: z.string(), os: z.string(), arch: z.string() }),
  })
  .meta({ id: "SystemInfo" });

export const systemRoutes: FastifyPluginAsyncZod<{ containers: ContainerRuntime; version: string }> = async (
  app,
  { containers, version },
) => {
  app.get(
    "/system/info",
    {
      // Signed-in callers only: the engine's version tells an attacker which exploits apply.
      onRequest: app.requireAuth(),
      schema: {
        operationId: "getSystemInfo",
        tags: ["system"],
        summary: "Versions of the control plane and its Docker engine (signed-in callers)",
        security: SECURED,
        response: { 200: SystemInfo, ...errorResponses, 503: errorResponses[500] },
      },
    },
    async () => ({ version, docker: await containers.version() }),
  );
};
