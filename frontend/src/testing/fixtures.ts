import type {
  AgentMessage,
  AgentSession,
  AgentSettings,
  ApiToken,
  Deployment,
  Me,
  Operation,
  Project,
  Template,
} from "../api/types";

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
  qaGates: null,
  prewarm: 0,
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
  agent: { configured: false, state: "idle", sessionId: null, lastEventAt: null, message: null },
  setup: { phase: "ready", message: null },
  lastActivityAt: new Date(Date.now() - 5 * 60_000).toISOString(),
  idleTimeoutSeconds: null,
  effectiveIdleTimeoutSeconds: 900,
  sleptAt: null,
  productionIdle: false,
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

export const agentSettings = (o: Partial<AgentSettings> = {}): AgentSettings => ({
  provider: "openai-compatible",
  baseUrl: "http://llm.internal:8000/v1",
  model: "qwen-coder",
  apiKey: "set",
  apiKeyLast4: "1234",
  updatedAt: T0,
  ...o,
});

export const agentSession = (o: Partial<AgentSession> = {}): AgentSession => ({
  id: "ses_1",
  title: "Bakery site",
  directory: "/app",
  createdAt: T0,
  updatedAt: T0,
  revertedFrom: null,
  status: { type: "idle" },
  queue: [],
  ...o,
});

export const agentMessages = (): AgentMessage[] => [
  {
    id: "msg_1",
    sessionId: "ses_1",
    role: "user",
    parentId: null,
    createdAt: T0,
    completedAt: null,
    error: null,
    parts: [{ type: "text", id: "prt_1", text: "Build a bakery site" }],
  },
  {
    id: "msg_2",
    sessionId: "ses_1",
    role: "assistant",
    parentId: "msg_1",
    createdAt: T0,
    completedAt: T0,
    error: null,
    parts: [
      {
        type: "tool",
        id: "prt_2",
        callId: "call_1",
        tool: "write",
        status: "completed",
        title: "src/App.tsx",
        input: { filePath: "/app/src/App.tsx" },
        output: "Wrote file successfully.",
        error: null,
      },
      {
        type: "tool",
        id: "prt_3",
        callId: "call_2",
        tool: "bash",
        status: "completed",
        title: "npm test",
        input: { command: "npm test" },
        output: "all 3 tests passed",
        error: null,
      },
      { type: "text", id: "prt_4", text: "Done: the bakery site is up." },
    ],
  },
];

export const deployment = (o: Partial<Deployment> = {}): Deployment => ({
  number: 1,
  kind: "build",
  rollbackOf: null,
  status: "live",
  error: null,
  requestedBy: { id: "u1", name: "Ada Lovelace", email: "ada@example.test" },
  operationId: null,
  url: null,
  sizeBytes: 48_213,
  snapshotBytes: 20_480,
  buildDurationMs: 2_400,
  warm: false,
  warmUntil: null,
  cancelRequested: false,
  createdAt: new Date(Date.now() - 10 * 60_000).toISOString(),
  buildStartedAt: null,
  buildFinishedAt: null,
  liveAt: new Date(Date.now() - 9 * 60_000).toISOString(),
  supersededAt: null,
  finishedAt: null,
  ...o,
});

/** GET /projects/{id}/deployments answering these deployments (newest first). */
export const deploymentList = (deployments: Deployment[] = []) => ({ deployments, diskBytes: 0, keep: 5 });
