import type { FastifyInstance } from "fastify";
import { dockerodeContainerRuntime } from "../../src/adapters/docker/dockerode-container-runtime.js";
import { prismaApiTokenStore } from "../../src/adapters/persistence/prisma-api-token-store.js";
import { prismaDatabaseProbe } from "../../src/adapters/persistence/prisma-client.js";
import { type AppDeps, buildApp } from "../../src/app.js";
import { authenticatorFactory } from "../../src/modules/auth/authenticator.js";
import type { TestDatabase } from "./database.js";

export const testDocker = () =>
  dockerodeContainerRuntime({
    ...(process.env.DOCKER_HOST ? { host: process.env.DOCKER_HOST } : {}),
    socketPath: process.env.DOCKER_SOCKET ?? "/var/run/docker.sock",
  });

/** The real app on a real database and the real Docker engine; override any dependency. */
export async function buildTestApp(database: TestDatabase, overrides: Partial<AppDeps> = {}): Promise<FastifyInstance> {
  const app = await buildApp({
    logger: false,
    publicUrl: "http://localhost:3000",
    version: "0.0.0-test",
    database: prismaDatabaseProbe(database.db),
    containers: testDocker(),
    authenticator: authenticatorFactory({ apiTokens: prismaApiTokenStore(database.db) }),
    ...overrides,
  });
  await app.ready();
  return app;
}
