import { randomBytes } from "node:crypto";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { composeAudit } from "../../src/composition/audit.js";
import { composeIdentity } from "../../src/composition/identity.js";
import type { AuthConfig } from "../../src/config/config.js";
import { buildTestApp } from "./app.js";
import type { TestDatabase } from "./database.js";

export const PUBLIC_URL = "http://localhost:3000";

const testAuthConfig = (overrides: Partial<AuthConfig> = {}): AuthConfig => ({
  signups: "open",
  signupEmailDomains: [],
  refreshTokenTtlDays: 30,
  rateLimit: { max: 1000, windowS: 60 },
  ...overrides,
});

/** The real app with identity wired as main.ts wires it, on a real database. */
export async function buildIdentityApp(
  database: TestDatabase,
  opts: { auth?: Partial<AuthConfig>; publicUrl?: string } = {},
) {
  const rootSecret = randomBytes(32);
  const publicUrl = opts.publicUrl ?? PUBLIC_URL;
  const audit = composeAudit(database.db, { warn: (o, m) => console.error(m, o) });
  const wired = await composeIdentity({
    db: database.db,
    rootSecret,
    publicUrl,
    auth: testAuthConfig(opts.auth),
    audit,
  });
  const app = await buildTestApp(database, {
    publicUrl,
    authenticator: wired.authenticator,
    identity: wired.identity,
  });
  return { app, rootSecret, audit, ...wired };
}

/** Just enough of a browser's cookie store for one host. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  /** The raw Set-Cookie lines of the last response, for attribute checks. */
  lastSetCookie: string[] = [];

  store(res: LightMyRequestResponse) {
    const raw = res.headers["set-cookie"];
    const lines: string[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
    this.lastSetCookie = lines;
    for (const line of lines) {
      const [pair = "", ...attrs] = line.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = decodeURIComponent(pair.slice(eq + 1));
      const expired = attrs.some((a) => /^max-age=0$/i.test(a) || /^expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string) {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/**
 * A browser-less sign-in round trip: our /start → the provider's authorize endpoint (real
 * HTTP) → our /callback, which exchanges the code with the provider (real HTTP). Returns
 * the callback's response. `tamper` may change the callback URL (e.g. the state).
 */
export async function signInWith(
  app: FastifyInstance,
  jar: CookieJar,
  provider: "github" | "google",
  opts: { next?: string; tamper?: (callback: URL) => void } = {},
) {
  const q = opts.next ? `?next=${encodeURIComponent(opts.next)}` : "";
  const start = await app.inject({ url: `/api/v1/auth/${provider}/start${q}`, headers: { cookie: jar.header() } });
  if (start.statusCode !== 302) throw new Error(`start answered ${start.statusCode}: ${start.body}`);
  jar.store(start);
  const authorize = new URL(String(start.headers.location));
  const atProvider = await fetch(authorize, { redirect: "manual" });
  if (atProvider.status !== 302) throw new Error(`provider answered ${atProvider.status}: ${await atProvider.text()}`);
  const callback = new URL(String(atProvider.headers.get("location")));
  opts.tamper?.(callback);
  const done = await app.inject({ url: `${callback.pathname}${callback.search}`, headers: { cookie: jar.header() } });
  jar.store(done);
  return { start, authorize, callback, done };
}
