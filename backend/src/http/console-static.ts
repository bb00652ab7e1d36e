// Serves the built web console (frontend/dist) at "/": hashed assets cached forever, index.html
// never cached, and index.html for any other page a browser asks for (client-side routes).
// API, docs, internal and health paths are never answered with the console.
import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";

const RESERVED = /^\/(api|docs|internal|healthz|readyz)(\/|$|\?)/;
const IMMUTABLE = "public, max-age=31536000, immutable";

// The console needs its own origin for scripts and API calls; previews are framed from their
// own hostnames, and nothing may frame the console itself.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "frame-src http: https:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

export const isConsoleBuild = (dir: string) => existsSync(path.join(dir, "index.html"));

const plugin: FastifyPluginAsync<{ root: string }> = async (app, opts) => {
  const root = path.resolve(opts.root);
  await app.register(fastifyStatic, {
    root,
    prefix: "/",
    // One route per built file, so unknown paths fall through to the handler below.
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders: (reply, file) => {
      const rel = path.relative(root, file);
      reply.header("cache-control", rel.startsWith(`assets${path.sep}`) ? IMMUTABLE : "no-cache");
      reply.header("x-content-type-options", "nosniff");
    },
  });

  app.get("/*", { schema: { hide: true } }, (req, reply) => {
    const wantsHtml = (req.headers.accept ?? "").includes("text/html");
    if (RESERVED.test(req.url) || !wantsHtml) return reply.callNotFound();
    return reply
      .header("content-security-policy", CSP)
      .header("x-frame-options", "DENY")
      .sendFile("index.html", root, { cacheControl: false });
  });
};

export const consoleStatic = fp(plugin, { name: "console-static" });
