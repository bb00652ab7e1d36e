import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ContainerRuntime } from "../../ports/container-runtime.port.js";
import { ErrorBody } from "../../shared/schemas.js";

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
      schema: {
        operationId: "getSystemInfo",
        tags: ["system"],
        summary: "Versions of the control plane and its Docker engine",
        response: { 200: SystemInfo, 503: ErrorBody },
      },
    },
    async () => ({ version, docker: await containers.version() }),
  );
};
