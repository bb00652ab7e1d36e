// What the benchmarks that drive the built control plane share: starting it (lib/measure.mjs),
// an API token written straight into its database, the API, GETs on loopback with a project's
// Host header, and removal of everything a run labelled.
import { execFile } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { median, startControlPlane as startBuilt } from "./measure.mjs";

const run = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, "../..");
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The built control plane under INSTALL_ID=label (lib/measure.mjs); `env` adds or overrides variables. */
export const startControlPlane = (label, env = {}) => startBuilt(ROOT, { label, env });

/** Creates an admin and an API token with `scopes` straight in the database. */
export async function apiToken(databaseUrl, scopes = ["projects:read", "projects:write", "templates:read"]) {
  const { generateApiToken } = await import(path.join(ROOT, "backend/dist/modules/auth/api-token.js"));
  const { token, prefix, hash } = generateApiToken();
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const user = await c.query(
      `INSERT INTO "User" (id, email, role, "updatedAt") VALUES (gen_random_uuid(), 'bench@localhost', 'admin', now()) RETURNING id`,
    );
    await c.query(
      `INSERT INTO "ApiToken" (id, "userId", name, prefix, "tokenHash", scopes) VALUES (gen_random_uuid(), $1, 'bench', $2, $3, $4)`,
      [user.rows[0].id, prefix, hash, scopes],
    );
  } finally {
    await c.end();
  }
  return `Bearer ${token}`;
}

export function apiClient(appPort, authorization) {
  return async (method, pathName, body) => {
    const res = await fetch(`http://127.0.0.1:${appPort}/api/v1${pathName}`, {
      method,
      headers: { authorization, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${pathName}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** Polls the project until it has `status`; a failed project or a timeout throws. */
export async function waitForProject(api, id, status, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const p = await api("GET", `/projects/${id}`);
    if (p.status === status) return p;
    if (p.status === "failed" || Date.now() > deadline)
      throw new Error(`project ${id} is ${p.status} (${p.statusMessage ?? ""}), not ${status}`);
    await sleep(50);
  }
}

/** GET on loopback with an explicit Host header (Node does not resolve *.localhost), a fresh connection each. */
export function get(port, pathName, headers = {}) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: pathName, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.setTimeout(2_000, () => req.destroy());
    req.on("error", () => resolve({ status: 0, body: "" }));
  });
}

/**
 * Whatever this run left: its own containers, and the control plane's under its install id, with
 * the images it made (deployment artifacts). Every removal is tried even when one fails (a
 * network still in use, say), and what could not be removed is named: nothing is left silently.
 */
export async function removeLabelled(label) {
  const filters = [`label=devsanctum.bench=${label}`, `label=devsanctum.install=${label}`];
  const left = [];
  const removeAll = async (list, remove) => {
    for (const filter of filters) {
      const ids = (await run("docker", [...list, "--filter", filter])).stdout.trim();
      for (const id of new Set(ids ? ids.split("\n") : [])) {
        await run("docker", [...remove, id]).catch(() => left.push(id));
      }
    }
  };
  await removeAll(["ps", "-aq"], ["rm", "-f"]);
  await removeAll(["images", "-q"], ["rmi", "-f"]);
  await removeAll(["network", "ls", "-q"], ["network", "rm"]);
  await removeAll(["volume", "ls", "-q"], ["volume", "rm", "-f"]);
  if (left.length)
    console.warn(`could not remove ${left.join(", ")}: remove them with docker rm/rmi/network rm/volume rm`);
}

const ms = (x) => Math.round(x);
/** A table row: median, min and max of a list of durations in milliseconds. */
export function row(what, xs) {
  return {
    what,
    runs: xs.length,
    "median ms": xs.length ? ms(median(xs)) : "-",
    "min ms": xs.length ? ms(Math.min(...xs)) : "-",
    "max ms": xs.length ? ms(Math.max(...xs)) : "-",
  };
}
