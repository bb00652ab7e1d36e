import type { ApiToken, Me, Operation, Project, Template } from "../api/types";

const T0 = "2026-12-01T20:00:00.000Z";

export const me = (o: Partial<Me> = {}): Me => ({
  id: "u1",
  email: "ada@example.test",
  name: "Ada Lovelace",
  avatarUrl: null,
  role: "member",
  createdAt: T0,
  ...o,
});

export const template = (o: Partial<Template> = {}): Template => ({
  id: "tpl-vite",
  slug: "vite-react",
  name: "Vite + React",
  description: "A React 19 app on Vite with hot reload.",
  services: {
    preview: {
      image: "devsanctum/node:20",
      command: ["npx", "vite"],
      workdir: "/app",
      port: 5173,
      env: {},
      healthCheck: { path: "/", intervalMs: 500, timeoutMs: 2000, retries: 60 },
      limits: { memoryMb: 512, cpus: 1, pids: 256 },
      restart: { maxRetries: 3 },
    },
  },
  builtIn: true,
  createdAt: T0,
  updatedAt: T0,
  ...o,
});

export const project = (o: Partial<Project> = {}): Project => ({
  id: "p1",
  name: "My App",
  slug: "my-app",
  templateId: "tpl-vite",
  templateName: "Vite + React",
  prompt: null,
  ownerId: "u1",
  desiredState: "running",
  status: "running",
  statusMessage: null,
  services: [
    { kind: "preview", observedState: "running", health: "healthy", url: "http://my-app--preview.localhost:8080" },
  ],
  urls: { preview: "http://my-app--preview.localhost:8080" },
  lastActivityAt: new Date(Date.now() - 5 * 60_000).toISOString(),
  createdAt: T0,
  updatedAt: T0,
  ...o,
});

export const operation = (o: Partial<Operation> = {}): Operation => ({
  id: "op1",
  projectId: "p1",
  kind: "create",
  status: "running",
  progress: 20,
  steps: [
    { name: "pull", status: "succeeded" },
    { name: "create", status: "running" },
    { name: "start", status: "pending" },
    { name: "health", status: "pending" },
  ],
  error: null,
  createdAt: T0,
  startedAt: T0,
  finishedAt: null,
  ...o,
});

export const apiToken = (o: Partial<ApiToken> = {}): ApiToken => ({
  id: "tok1",
  name: "ci",
  prefix: "dsk_ab12",
  scopes: ["projects:read"],
  createdAt: T0,
  lastUsedAt: null,
  expiresAt: null,
  ...o,
});

export const apiError = (code: string, message: string, extra: Record<string, unknown> = {}) => ({
  error: { code, message, requestId: "req-test-1", ...extra },
});
