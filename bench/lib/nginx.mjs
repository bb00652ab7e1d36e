// The reverse-proxy baseline of `bench edge`: Debian's nginx (nginx-light, installed when absent)
// in front of the same upstream, with upstream keep-alive and one worker per core, as one would
// run it in production. Its own prefix directory under the temp dir; stopped by its PID.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./measure.mjs";

const run = promisify(execFile);
const NGINX = "/usr/sbin/nginx";

/** nginx from Debian's packages: `apt-get install nginx-light` when it is missing (needs root). */
async function ensureNginx() {
  if (existsSync(NGINX)) return;
  console.log("installing nginx-light (apt) for the reverse-proxy baseline");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "nginx-light"], { env }).catch(async () => {
    await run("apt-get", ["update", "-qq"], { env });
    await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "nginx-light"], { env });
  });
}

/** Starts nginx proxying 127.0.0.1:<port> to `upstream` (http://127.0.0.1:N); resolves once it answers. */
export async function startNginx(upstream) {
  await ensureNginx();
  const prefix = await mkdtemp(path.join(os.tmpdir(), "devsanctum-bench-nginx-"));
  const port = await freePort();
  const target = new URL(upstream);
  const conf = `
worker_processes ${os.availableParallelism()};
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream project { server ${target.host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://project;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
}
`;
  await writeFile(path.join(prefix, "nginx.conf"), conf);
  const child = spawn(NGINX, ["-p", prefix, "-c", path.join(prefix, "nginx.conf")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGQUIT"); // graceful: the master ends its workers
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await rm(prefix, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(url)).ok) return { url, stop };
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`nginx did not answer at ${url}: ${stderr}`);
}
