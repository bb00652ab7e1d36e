import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply } from "fastify";
import { ACCESS_TOKEN_TTL_S } from "./access-token.js";
import type { SessionTokens } from "./session.service.js";

// The console's session lives in two host-only cookies: `__Host-` guarantees Secure,
// Path=/ and no Domain, so no sibling host (project previews run user code) can set or read
// them. Browsers honour Secure cookies only over https, so for a plain-http PUBLIC_URL on
// a loopback name (the embedded default, http://localhost:3000) the names lose the prefix
// and the Secure flag; nothing else is relaxed, and any other http URL keeps them strict.

const LOOPBACK = /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/;

export interface SessionCookies {
  access: string;
  refresh: string;
  secure: boolean;
  set(reply: FastifyReply, tokens: SessionTokens): void;
  clear(reply: FastifyReply): void;
}

export function sessionCookies(publicUrl: string): SessionCookies {
  const url = new URL(publicUrl);
  const secure = url.protocol === "https:" || !LOOPBACK.test(url.hostname);
  const prefix = secure ? "__Host-" : "";
  const base: CookieSerializeOptions = { path: "/", httpOnly: true, sameSite: "lax", secure };
  const access = `${prefix}ds_access`;
  const refresh = `${prefix}ds_refresh`;
  return {
    access,
    refresh,
    secure,
    set(reply, tokens) {
      reply.setCookie(access, tokens.accessToken, { ...base, maxAge: ACCESS_TOKEN_TTL_S });
      const refreshMaxAge = Math.floor((tokens.refreshExpiresAt.getTime() - Date.now()) / 1000);
      reply.setCookie(refresh, tokens.refreshToken, { ...base, maxAge: refreshMaxAge });
    },
    clear(reply) {
      reply.clearCookie(access, base);
      reply.clearCookie(refresh, base);
    },
  };
}
