/**
 * Hand-written from /work/contract.md in openapi-typescript's output shape, until the auth and
 * projects routes land on this branch; then `pnpm --filter ./frontend gen:api` overwrites it.
 */

type Json<T> = { content: { "application/json": T } };
type Err = Json<components["schemas"]["ErrorResponse"]>;
type NoBody = { content?: never };

export interface paths {
  "/api/v1/auth/providers": {
    get: { responses: { 200: Json<{ providers: { id: "github" | "google"; name: string }[]; bootstrap: boolean }> } };
  };
  "/api/v1/auth/refresh": {
    post: {
      requestBody?: Json<{ refreshToken?: string }>;
      responses: { 200: Json<{ expiresAt: string; accessToken?: string; refreshToken?: string }>; 401: Err };
    };
  };
  "/api/v1/auth/logout": {
    post: { requestBody?: Json<{ everywhere?: boolean }>; responses: { 204: NoBody; 401: Err } };
  };
  "/api/v1/me": {
    get: { responses: { 200: Json<components["schemas"]["Me"]>; 401: Err } };
  };
  "/api/v1/tokens": {
    get: { responses: { 200: Json<{ tokens: components["schemas"]["ApiToken"][] }>; 401: Err } };
    post: {
      requestBody: Json<{ name: string; scopes: components["schemas"]["Scope"][]; expiresInDays?: number }>;
      responses: { 201: Json<{ token: string; apiToken: components["schemas"]["ApiToken"] }>; 400: Err; 401: Err };
    };
  };
  "/api/v1/tokens/{id}": {
    delete: { parameters: { path: { id: string } }; responses: { 204: NoBody; 401: Err; 404: Err } };
  };
  "/api/v1/templates": {
    get: { responses: { 200: Json<{ templates: components["schemas"]["Template"][] }>; 401: Err } };
    post: {
      requestBody: Json<components["schemas"]["TemplateInput"]>;
      responses: { 201: Json<components["schemas"]["Template"]>; 400: Err; 401: Err; 403: Err; 409: Err };
    };
  };
  "/api/v1/templates/{id}": {
    patch: {
      parameters: { path: { id: string } };
      requestBody: Json<Partial<components["schemas"]["TemplateInput"]>>;
      responses: { 200: Json<components["schemas"]["Template"]>; 400: Err; 401: Err; 403: Err; 404: Err };
    };
    delete: {
      parameters: { path: { id: string } };
      responses: { 204: NoBody; 401: Err; 403: Err; 404: Err; 409: Err };
    };
  };
  "/api/v1/projects": {
    get: { responses: { 200: Json<{ projects: components["schemas"]["Project"][] }>; 401: Err } };
    post: {
      requestBody: Json<{ name: string; templateId: string; prompt?: string }>;
      responses: { 202: Json<components["schemas"]["ProjectOperation"]>; 400: Err; 401: Err; 409: Err };
    };
  };
  "/api/v1/projects/{id}": {
    get: {
      parameters: { path: { id: string } };
      responses: { 200: Json<components["schemas"]["Project"]>; 401: Err; 404: Err };
    };
    delete: {
      parameters: { path: { id: string }; query?: { keepData?: "true" | "false" } };
      responses: { 202: Json<components["schemas"]["ProjectOperation"]>; 401: Err; 404: Err; 409: Err };
    };
  };
  "/api/v1/projects/{id}/start": {
    post: {
      parameters: { path: { id: string } };
      responses: { 202: Json<components["schemas"]["ProjectOperation"]>; 401: Err; 404: Err; 409: Err };
    };
  };
  "/api/v1/projects/{id}/stop": {
    post: {
      parameters: { path: { id: string } };
      responses: { 202: Json<components["schemas"]["ProjectOperation"]>; 401: Err; 404: Err; 409: Err };
    };
  };
  "/api/v1/projects/{id}/restart": {
    post: {
      parameters: { path: { id: string } };
      responses: { 202: Json<components["schemas"]["ProjectOperation"]>; 401: Err; 404: Err; 409: Err };
    };
  };
  "/api/v1/projects/{id}/operations": {
    get: {
      parameters: { path: { id: string } };
      responses: { 200: Json<{ operations: components["schemas"]["Operation"][] }>; 401: Err; 404: Err };
    };
  };
  "/api/v1/operations/{id}": {
    get: {
      parameters: { path: { id: string } };
      responses: { 200: Json<components["schemas"]["Operation"]>; 401: Err; 404: Err };
    };
  };
}

export interface components {
  schemas: {
    ErrorResponse: {
      error: {
        code: string;
        message: string;
        requestId: string;
        details?: { fields?: { path: string; message: string }[] };
      };
    };
    Scope: "projects:read" | "projects:write" | "templates:read" | "templates:write" | "tokens:read" | "tokens:write";
    Me: {
      id: string;
      email: string;
      name: string | null;
      avatarUrl: string | null;
      role: "admin" | "member";
      createdAt: string;
    };
    ApiToken: {
      id: string;
      name: string;
      prefix: string;
      scopes: components["schemas"]["Scope"][];
      createdAt: string;
      lastUsedAt: string | null;
      expiresAt: string | null;
    };
    ServiceSpec: {
      image: string;
      command: string[];
      workdir?: string;
      port: number;
      env: Record<string, string>;
      healthCheck: { path: string; intervalMs: number; timeoutMs: number; retries: number };
      limits: { memoryMb: number; cpus: number; pids: number };
      capabilities?: string[];
      restart: { maxRetries: number };
    };
    TemplateServices: {
      preview?: components["schemas"]["ServiceSpec"];
      opencode?: components["schemas"]["ServiceSpec"];
      production?: components["schemas"]["ServiceSpec"];
    };
    TemplateInput: {
      slug: string;
      name: string;
      description: string;
      services: components["schemas"]["TemplateServices"];
    };
    Template: {
      id: string;
      slug: string;
      name: string;
      description: string;
      services: components["schemas"]["TemplateServices"];
      builtIn: boolean;
      createdAt: string;
      updatedAt: string;
    };
    Project: {
      id: string;
      name: string;
      slug: string;
      templateId: string;
      templateName: string;
      prompt: string | null;
      ownerId: string;
      desiredState: "running" | "stopped" | "deleted";
      status: "pending" | "starting" | "running" | "stopping" | "stopped" | "failed" | "deleting" | "deleted";
      statusMessage: string | null;
      services: {
        kind: "preview" | "opencode" | "production";
        observedState: string;
        health: string;
        url: string | null;
      }[];
      urls: { preview?: string; opencode?: string; production?: string };
      lastActivityAt: string | null;
      createdAt: string;
      updatedAt: string;
    };
    OperationStep: {
      name: "pull" | "network" | "volume" | "seed" | "create" | "start" | "health" | "route" | "stop" | "remove";
      status: "pending" | "running" | "succeeded" | "failed" | "canceled" | "skipped";
      message?: string | null;
      progress?: number | null;
    };
    Operation: {
      id: string;
      projectId: string;
      kind: "create" | "start" | "stop" | "restart" | "delete";
      status: "pending" | "running" | "succeeded" | "failed" | "canceled";
      progress: number;
      steps: components["schemas"]["OperationStep"][];
      error: { code: string; message: string } | string | null;
      createdAt: string;
      startedAt: string | null;
      finishedAt: string | null;
    };
    ProjectOperation: { project: components["schemas"]["Project"]; operation: components["schemas"]["Operation"] };
  };
}
