// @ts-check
// The files agent: runs inside a project's workspace container (node + git, no network, the
// project's uid, read-only root) with the project's volume at WORKSPACE_ROOT (/app). The
// control plane starts it through `docker exec` and speaks to it over stdin/stdout; nothing
// here trusts a path it is given. Plain Node, no dependencies: the control plane sends this
// file as `node -e`, so the container image only needs node and git — which is also why it is
// one file (sections: paths, operations, git, modes) rather than modules.
//   serve    newline-delimited JSON requests on stdin → responses on stdout (by id)
//   watch    one JSON line per batch of changed paths (debounced), until stdin closes
//   archive  the project as .tar.gz on stdout (no node_modules, no .git)
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { watch as fsWatch } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { createGzip } from "node:zlib";

const ROOT = path.resolve(process.env.WORKSPACE_ROOT ?? "/app");
/** Never listed unless asked, never archived, never watched. */
const IGNORED = new Set(["node_modules", ".git"]);
/** Written only by the platform's git commands, never through the files API. */
const RESERVED = ".git";
const TEMP_PREFIX = ".ds-write-";
const MAX_PATH = 4096;

class AgentError extends Error {
  /** @param {string} code @param {string} message @param {Record<string, unknown>} [details] */
  constructor(code, message, details) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** @param {string} rel */
function segmentsOf(rel) {
  if (typeof rel !== "string") throw new AgentError("INVALID_PATH", "The path must be a string");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(rel)) throw new AgentError("INVALID_PATH", "The path contains a control character");
  if (rel.length > MAX_PATH) throw new AgentError("INVALID_PATH", "The path is too long");
  if (rel.startsWith("/"))
    throw new AgentError("PATH_OUTSIDE_PROJECT", "Absolute paths are refused; give a path relative to the project");
  const parts = rel.split("/").filter((s) => s !== "" && s !== ".");
  if (parts.includes(".."))
    throw new AgentError("PATH_OUTSIDE_PROJECT", "'..' is refused: paths stay inside the project");
  for (const p of parts) {
    if (Buffer.byteLength(p) > 255) throw new AgentError("INVALID_PATH", `A path segment is longer than 255 bytes`);
  }
  return parts;
}

let realRoot = "";
async function rootReal() {
  realRoot ||= await fs.realpath(ROOT);
  return realRoot;
}
/** @param {string} real */
const inside = (real) => real === realRoot || real.startsWith(`${realRoot}/`);

/** @param {string} p */
async function lstatOrNull(p) {
  try {
    return await fs.lstat(p);
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === "ENOENT") return null;
    throw err;
  }
}

/**
 * Where a relative path lives, checked on the real filesystem: every existing ancestor must
 * resolve inside the project (a symlinked folder pointing out is refused), and so must the
 * entry itself when `follow` (reading or writing through a symlink). Returns the absolute path
 * and the entry's lstat (null when it does not exist).
 * @param {string} rel
 * @param {{ follow?: boolean, write?: boolean }} [opts]
 */
async function resolve(rel, opts = {}) {
  const parts = segmentsOf(rel);
  await rootReal();
  if (opts.write && parts[0] === RESERVED) {
    throw new AgentError("PATH_RESERVED", ".git holds the project's history; change it through the history API");
  }
  let dir = realRoot;
  for (const [i, part] of parts.entries()) {
    const next = path.join(dir, part);
    const st = await lstatOrNull(next);
    const last = i === parts.length - 1;
    if (!st) return { abs: path.join(dir, ...parts.slice(i)), st: null, rel: parts.join("/") };
    if (st.isSymbolicLink() && (!last || opts.follow)) {
      let real;
      try {
        real = await fs.realpath(next);
      } catch {
        throw new AgentError("PATH_OUTSIDE_PROJECT", `${parts.slice(0, i + 1).join("/")} is a broken symbolic link`);
      }
      if (!inside(real)) {
        throw new AgentError(
          "PATH_OUTSIDE_PROJECT",
          `${parts.slice(0, i + 1).join("/")} is a symbolic link that points outside the project`,
        );
      }
      if (last) return { abs: real, st: await fs.stat(real), rel: parts.join("/") };
      dir = real;
      continue;
    }
    if (last) return { abs: next, st, rel: parts.join("/") };
    if (!st.isDirectory())
      throw new AgentError("NOT_A_DIRECTORY", `${parts.slice(0, i + 1).join("/")} is not a folder`);
    dir = next;
  }
  return { abs: realRoot, st: await fs.stat(realRoot), rel: "" };
}

/** @param {import("node:fs").Stats} st */
const typeOf = (st) => (st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : st.isFile() ? "file" : "other");
/** @param {Buffer} buf */
const etagOf = (buf) => createHash("sha256").update(buf).digest("base64url").slice(0, 27);
/** @param {Buffer} buf */
function isBinary(buf) {
  if (buf.subarray(0, 8000).includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(buf);
    return false;
  } catch {
    return true;
  }
}

/** @param {string} rel @param {import("node:fs").Stats} st @param {string} abs */
async function entryOf(rel, st, abs) {
  /** @type {Record<string, unknown>} */
  const e = {
    path: rel,
    name: path.posix.basename(rel),
    type: typeOf(st),
    size: st.isFile() ? st.size : 0,
    modified: st.mtime.toISOString(),
  };
  if (st.isSymbolicLink()) e.target = await fs.readlink(abs).catch(() => "");
  return e;
}

const byDirsThenName = (/** @type {import("node:fs").Dirent} */ a, /** @type {import("node:fs").Dirent} */ b) =>
  Number(b.isDirectory()) - Number(a.isDirectory()) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const ops = {
  /** @param {{ path?: string, depth?: number, all?: boolean, maxEntries?: number }} a */
  async tree(a) {
    const base = await resolve(a.path ?? "", { follow: true });
    if (!base.st) throw new AgentError("FILE_NOT_FOUND", `No such folder: ${a.path}`);
    if (!base.st.isDirectory()) throw new AgentError("NOT_A_DIRECTORY", `${a.path} is not a folder`);
    const max = a.maxEntries ?? 5000;
    const depth = a.depth ?? 1;
    /** @type {unknown[]} */
    const entries = [];
    let truncated = false;
    /** @param {string} abs @param {string} rel @param {number} level */
    const walk = async (abs, rel, level) => {
      const list = (await fs.readdir(abs, { withFileTypes: true }))
        .filter((d) => (a.all || !IGNORED.has(d.name)) && !d.name.startsWith(TEMP_PREFIX))
        .sort(byDirsThenName);
      // A folder's entries are stat'ed at once (the filesystem answers them in parallel).
      const stats = await Promise.all(
        list.slice(0, max - entries.length + 1).map((d) => lstatOrNull(path.join(abs, d.name))),
      );
      for (const [i, d] of list.entries()) {
        if (entries.length >= max) {
          truncated = true;
          return;
        }
        const st = stats[i];
        if (!st) continue;
        const childAbs = path.join(abs, d.name);
        const childRel = rel ? `${rel}/${d.name}` : d.name;
        entries.push(await entryOf(childRel, st, childAbs));
        if (st.isDirectory() && level < depth) await walk(childAbs, childRel, level + 1);
        if (truncated) return;
      }
    };
    await walk(base.abs, base.rel, 1);
    return { path: base.rel, entries, truncated };
  },

  /** @param {{ path: string }} a */
  async stat(a) {
    const r = await resolve(a.path);
    return r.st ? entryOf(r.rel, r.st, r.abs) : null;
  },

  /** @param {{ path: string, maxBytes: number }} a */
  async read(a) {
    const r = await resolve(a.path, { follow: true });
    if (!r.st) throw new AgentError("FILE_NOT_FOUND", `No such file: ${a.path}`);
    if (r.st.isDirectory()) throw new AgentError("IS_A_DIRECTORY", `${a.path} is a folder`);
    if (!r.st.isFile()) throw new AgentError("NOT_A_FILE", `${a.path} is not a regular file`);
    if (r.st.size > a.maxBytes) {
      throw new AgentError("FILE_TOO_LARGE", `${a.path} is ${r.st.size} bytes; the limit is ${a.maxBytes}`, {
        size: r.st.size,
        limit: a.maxBytes,
      });
    }
    const buf = await fs.readFile(r.abs);
    return {
      content: buf.toString("base64"),
      etag: etagOf(buf),
      size: buf.length,
      binary: isBinary(buf),
      modified: r.st.mtime.toISOString(),
    };
  },

  /** @param {{ path: string, content: string, ifMatch?: string, ifNoneMatch?: string }} a */
  async write(a) {
    const r = await resolve(a.path, { follow: true, write: true });
    if (!r.rel) throw new AgentError("IS_A_DIRECTORY", "The project's root is a folder");
    if (r.st?.isDirectory()) throw new AgentError("IS_A_DIRECTORY", `${a.path} is a folder`);
    if (r.st && !r.st.isFile()) throw new AgentError("NOT_A_FILE", `${a.path} is not a regular file`);
    const current = r.st ? etagOf(await fs.readFile(r.abs)) : null;
    if (a.ifNoneMatch === "*" && current)
      throw new AgentError("PRECONDITION_FAILED", `${a.path} exists already`, { etag: current });
    if (a.ifMatch && (a.ifMatch === "*" ? !current : a.ifMatch !== current)) {
      throw new AgentError("PRECONDITION_FAILED", `${a.path} changed since you read it`, { etag: current });
    }
    const buf = Buffer.from(a.content, "base64");
    await writeAtomically(r.abs, buf, r.st?.mode);
    const st = await fs.stat(r.abs);
    return { ...(await entryOf(r.rel, st, r.abs)), etag: etagOf(buf), created: !r.st };
  },

  /** @param {{ paths: string[] }} a  Checks every path of an upload before anything is written. */
  async checkWritable(a) {
    for (const p of a.paths) {
      const r = await resolve(p, { follow: true, write: true });
      if (r.st?.isDirectory()) throw new AgentError("IS_A_DIRECTORY", `${p} is a folder in the project`);
      if (r.st && !r.st.isFile()) throw new AgentError("NOT_A_FILE", `${p} is not a regular file`);
    }
    return { checked: a.paths.length };
  },

  /** @param {{ files: { path: string, content: string, mode?: number }[] }} a */
  async writeMany(a) {
    await ops.checkWritable({ paths: a.files.map((f) => f.path) });
    for (const f of a.files) {
      const r = await resolve(f.path, { follow: true, write: true });
      await writeAtomically(r.abs, Buffer.from(f.content, "base64"), f.mode ?? r.st?.mode);
    }
    return { written: a.files.length };
  },

  /** @param {{ path: string, recursive?: boolean }} a */
  async delete(a) {
    const r = await resolve(a.path, { write: true });
    if (!r.rel) throw new AgentError("PATH_RESERVED", "The project's root cannot be deleted");
    if (!r.st) throw new AgentError("FILE_NOT_FOUND", `No such file or folder: ${a.path}`);
    if (r.st.isDirectory()) {
      if (!a.recursive && (await fs.readdir(r.abs)).length > 0) {
        throw new AgentError(
          "FOLDER_NOT_EMPTY",
          `${a.path} is a folder with files in it; delete it with recursive=true`,
        );
      }
      await fs.rm(r.abs, { recursive: true, force: true });
    } else {
      // A symbolic link is removed itself, never what it points to.
      await fs.unlink(r.abs);
    }
    return { deleted: r.rel };
  },

  /** @param {{ from: string, to: string }} a */
  async move(a) {
    const from = await resolve(a.from, { write: true });
    const to = await resolve(a.to, { write: true });
    if (!from.rel || !to.rel) throw new AgentError("PATH_RESERVED", "The project's root cannot be moved");
    if (!from.st) throw new AgentError("FILE_NOT_FOUND", `No such file or folder: ${a.from}`);
    if (to.st) throw new AgentError("ALREADY_EXISTS", `${a.to} exists already`);
    if (to.rel === from.rel || to.rel.startsWith(`${from.rel}/`))
      throw new AgentError("INVALID_PATH", "A folder cannot move into itself");
    await mkdirInside(path.dirname(to.abs));
    await fs.rename(from.abs, to.abs);
    return { from: from.rel, to: to.rel };
  },

  /** @param {{ path: string }} a */
  async mkdir(a) {
    const r = await resolve(a.path, { write: true });
    if (r.st) throw new AgentError("ALREADY_EXISTS", `${a.path || "The project's root"} exists already`);
    await mkdirInside(r.abs);
    return entryOf(r.rel, await fs.stat(r.abs), r.abs);
  },

  /** @param {{ args: string[], env?: Record<string, string>, input?: string, maxOutput?: number }} a */
  git: (a) => runGit(a),
};

/** @param {string} abs  Folders are made one by one, each checked to stay inside (a race could swap one). */
async function mkdirInside(abs) {
  await fs.mkdir(abs, { recursive: true });
  const real = await fs.realpath(abs);
  if (!inside(real)) throw new AgentError("PATH_OUTSIDE_PROJECT", "The folder resolved outside the project");
}

/** A temporary file beside the target, then rename: a dev server never reads half a file. */
async function writeAtomically(
  /** @type {string} */ abs,
  /** @type {Buffer} */ buf,
  /** @type {number|undefined} */ mode,
) {
  await mkdirInside(path.dirname(abs));
  const tmp = path.join(path.dirname(abs), `${TEMP_PREFIX}${randomBytes(6).toString("hex")}`);
  try {
    await fs.writeFile(tmp, buf, { flag: "wx", mode: mode === undefined ? 0o644 : mode & 0o777 });
    await fs.rename(tmp, abs);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

// ---- git ---------------------------------------------------------------------------------
// Code in the project can write .git/config (the agent has a shell). Before git runs, every
// repository setting outside this list is removed, so a planted filter, fsmonitor, pager or
// include cannot make the platform's own git commands run it; hooks are off on every call.
const ALLOWED_CONFIG =
  /^(core\.(repositoryformatversion|filemode|bare|logallrefupdates|ignorecase|precomposeunicode|symlinks|autocrlf|quotepath|safecrlf|eol)|user\.(name|email)|branch\..+\.(remote|merge|rebase)|remote\..+\.(url|fetch)|extensions\.objectformat|gc\.(auto|autodetach))$/;
const SAFE_FLAGS = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fsmonitor=false",
  "-c",
  "commit.gpgSign=false",
  "-c",
  "tag.gpgSign=false",
  "-c",
  "core.pager=cat",
  "-c",
  "protocol.allow=never",
  "-c",
  "maintenance.auto=false",
];
const GIT_ENV = [
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_AUTHOR_DATE",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
  "GIT_COMMITTER_DATE",
  "GIT_INDEX_FILE",
];
let sanitized = "";

/** @param {string[]} args @param {{ env?: Record<string, string>, input?: string, maxOutput?: number }} [o] */
function spawnGit(args, o = {}) {
  /** @type {Record<string, string>} */
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: "/tmp",
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_PAGER: "cat",
    GIT_EDITOR: "true",
    GIT_CONFIG_GLOBAL: "/dev/null",
  };
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (!GIT_ENV.includes(k)) throw new AgentError("INVALID_GIT_ENV", `${k} may not be set`);
    if (k === "GIT_INDEX_FILE" && !v.startsWith("/tmp/"))
      throw new AgentError("INVALID_GIT_ENV", "A temporary index lives in /tmp");
    env[k] = v;
  }
  const max = o.maxOutput ?? 32 * 1024 * 1024;
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", [...SAFE_FLAGS, ...args], { cwd: realRoot, env, stdio: ["pipe", "pipe", "pipe"] });
    /** @type {Buffer[]} */
    const out = [];
    let outBytes = 0;
    let truncated = false;
    let err = "";
    child.stdout.on("data", (/** @type {Buffer} */ d) => {
      if (outBytes + d.length > max) {
        truncated = true;
        out.push(d.subarray(0, Math.max(0, max - outBytes)));
        outBytes = max;
        child.kill("SIGKILL");
        return;
      }
      outBytes += d.length;
      out.push(d);
    });
    child.stderr.on("data", (/** @type {Buffer} */ d) => {
      if (err.length < 16_384) err += d.toString("utf8");
    });
    child.on("error", (e) => reject(new AgentError("GIT_UNAVAILABLE", `git could not run: ${e.message}`)));
    child.on("close", (code) =>
      resolvePromise({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err, truncated }),
    );
    child.stdin.on("error", () => {});
    child.stdin.end(o.input ?? "");
  });
}

async function sanitizeConfig() {
  const config = path.join(realRoot, ".git", "config");
  const st = await lstatOrNull(config);
  if (!st) return;
  const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
  if (stamp === sanitized) return;
  const listed = /** @type {{ code: number, stdout: Buffer }} */ (
    await spawnGit(["config", "--local", "--name-only", "--list"])
  );
  const names = new Set(listed.stdout.toString("utf8").split("\n").filter(Boolean));
  for (const name of names) {
    if (!ALLOWED_CONFIG.test(name.toLowerCase())) await spawnGit(["config", "--local", "--unset-all", name]);
  }
  const after = await lstatOrNull(config);
  sanitized = after ? `${after.mtimeMs}:${after.size}:${after.ino}` : "";
}

/** @param {{ args: string[], env?: Record<string, string>, input?: string, maxOutput?: number }} a */
async function runGit(a) {
  await rootReal();
  await sanitizeConfig();
  const r = /** @type {{ code: number, stdout: Buffer, stderr: string, truncated: boolean }} */ (
    await spawnGit(a.args, a)
  );
  return { code: r.code, stdout: r.stdout.toString("base64"), stderr: r.stderr, truncated: r.truncated };
}

// ---- modes -------------------------------------------------------------------------------
/** @param {unknown} obj */
const emit = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

async function serve() {
  // Git commands run one at a time (they share the index); file operations run as they come.
  let gitChain = Promise.resolve();
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (!line.trim()) continue;
    /** @type {{ id?: unknown, op?: unknown }} */
    let req;
    try {
      req = JSON.parse(line);
    } catch {
      emit({ id: null, ok: false, error: { code: "BAD_REQUEST", message: "not JSON" } });
      continue;
    }
    const id = req.id;
    const name = /** @type {keyof typeof ops} */ (String(req.op));
    const op = Object.hasOwn(ops, name) ? ops[name] : undefined;
    const run = async () => {
      try {
        if (!op) throw new AgentError("UNKNOWN_OP", `unknown operation ${String(req.op)}`);
        emit({ id, ok: true, result: await /** @type {(a: unknown) => Promise<unknown>} */ (op)(req) });
      } catch (err) {
        const e = /** @type {{ code?: string, message: string, details?: unknown }} */ (err);
        const code =
          err instanceof AgentError
            ? err.code
            : e.code === "ENOSPC"
              ? "NO_SPACE"
              : e.code === "EACCES"
                ? "PERMISSION_DENIED"
                : "INTERNAL";
        emit({ id, ok: false, error: { code, message: e.message, ...(e.details ? { details: e.details } : {}) } });
      }
    };
    if (name === "git") gitChain = gitChain.then(run);
    else void run();
  }
  await gitChain;
}

async function watchTree() {
  await rootReal();
  /** @type {Map<string, import("node:fs").FSWatcher>} */
  const watchers = new Map();
  const MAX_WATCHED = 4000;
  /** @type {Set<string>} */
  const changed = new Set();
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  let firstAt = 0;
  const flush = () => {
    timer = undefined;
    if (changed.size === 0) return;
    emit({ paths: [...changed].sort().slice(0, 1000), more: Math.max(0, changed.size - 1000) });
    changed.clear();
  };
  /** @param {string} rel */
  const note = (rel) => {
    changed.add(rel);
    const now = Date.now();
    if (!timer) firstAt = now;
    clearTimeout(timer);
    // 100 ms of quiet, at most 400 ms after the first change: "within a second" with room.
    timer = setTimeout(flush, Math.max(0, Math.min(100, firstAt + 400 - now)));
  };
  /** @param {string} abs @param {string} rel */
  const add = async (abs, rel) => {
    if (watchers.has(rel) || watchers.size >= MAX_WATCHED) return;
    let w;
    try {
      w = fsWatch(abs, { persistent: true }, (_type, filename) => {
        if (!filename) return;
        const name = String(filename);
        if (name.startsWith(TEMP_PREFIX) || IGNORED.has(name)) return;
        const childRel = rel ? `${rel}/${name}` : name;
        note(childRel);
        void fs
          .lstat(path.join(abs, name))
          .then(async (st) => {
            if (st.isDirectory()) await add(path.join(abs, name), childRel);
          })
          .catch(() => {
            for (const [k, v] of watchers) {
              if (k === childRel || k.startsWith(`${childRel}/`)) {
                v.close();
                watchers.delete(k);
              }
            }
          });
      });
    } catch {
      return;
    }
    w.on("error", () => {
      w.close();
      watchers.delete(rel);
    });
    watchers.set(rel, w);
    const list = await fs.readdir(abs, { withFileTypes: true }).catch(() => []);
    for (const d of list) {
      if (d.isDirectory() && !IGNORED.has(d.name)) await add(path.join(abs, d.name), rel ? `${rel}/${d.name}` : d.name);
    }
  };
  await add(realRoot, "");
  emit({ ready: true, watching: watchers.size });
  process.stdin.resume();
  await new Promise((r) => process.stdin.on("end", r).on("close", r));
  for (const w of watchers.values()) w.close();
  process.exit(0);
}

// A minimal tar writer (ustar + PAX records for long names): the archive is read by any tar.
/** @param {string} name @param {number} size @param {number} mode @param {number} mtime @param {"0"|"2"|"5"|"x"} type @param {string} [link] */
function tarHeader(name, size, mode, mtime, type, link = "") {
  const h = Buffer.alloc(512);
  const put = (/** @type {string} */ v, /** @type {number} */ off, /** @type {number} */ len) =>
    h.write(v, off, len, "utf8");
  const oct = (/** @type {number} */ n, /** @type {number} */ off, /** @type {number} */ len) =>
    put(`${n.toString(8).padStart(len - 1, "0")}\0`, off, len);
  put(name.slice(0, 100), 0, 100);
  oct(mode & 0o7777, 100, 8);
  oct(1000, 108, 8);
  oct(1000, 116, 8);
  oct(size, 124, 12);
  oct(Math.floor(mtime / 1000), 136, 12);
  put("        ", 148, 8);
  put(type, 156, 1);
  put(link.slice(0, 100), 157, 100);
  put("ustar\u000000", 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return h;
}
/** @param {string} key @param {string} value */
function paxRecord(key, value) {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}
const pad = (/** @type {number} */ n) => Buffer.alloc((512 - (n % 512)) % 512);

async function archive() {
  await rootReal();
  const gz = createGzip({ level: 6 });
  gz.pipe(process.stdout);
  /** @param {Buffer} b */
  const write = (b) => (gz.write(b) ? Promise.resolve() : new Promise((r) => gz.once("drain", r)));
  /** @param {string} name @param {number} size @param {number} mode @param {number} mtime @param {"0"|"2"|"5"} type @param {string} [link] */
  const header = async (name, size, mode, mtime, type, link = "") => {
    const records =
      (Buffer.byteLength(name) > 100 ? paxRecord("path", name) : "") +
      (Buffer.byteLength(link) > 100 ? paxRecord("linkpath", link) : "");
    if (records) {
      const body = Buffer.from(records);
      await write(tarHeader("PaxHeader", body.length, 0o644, mtime, "x"));
      await write(Buffer.concat([body, pad(body.length)]));
    }
    await write(tarHeader(name, size, mode, mtime, type, link));
  };
  /** @param {string} abs @param {string} rel */
  const walk = async (abs, rel) => {
    const list = (await fs.readdir(abs, { withFileTypes: true })).sort(byDirsThenName);
    for (const d of list) {
      if (IGNORED.has(d.name) || d.name.startsWith(TEMP_PREFIX)) continue;
      const childAbs = path.join(abs, d.name);
      const childRel = rel ? `${rel}/${d.name}` : d.name;
      const st = await lstatOrNull(childAbs);
      if (!st) continue;
      if (st.isDirectory()) {
        await header(`${childRel}/`, 0, st.mode, st.mtimeMs, "5");
        await walk(childAbs, childRel);
      } else if (st.isSymbolicLink()) {
        await header(childRel, 0, 0o777, st.mtimeMs, "2", await fs.readlink(childAbs));
      } else if (st.isFile()) {
        const buf = await fs.readFile(childAbs);
        await header(childRel, buf.length, st.mode, st.mtimeMs, "0");
        await write(Buffer.concat([buf, pad(buf.length)]));
      }
    }
  };
  await walk(realRoot, "");
  await write(Buffer.alloc(1024));
  await new Promise((r) => gz.end(r));
}

// `node -e <source> watch` puts the mode at argv[1], `node workspace-agent.mjs watch` at argv[2].
const mode = process.argv.slice(1).find((a) => a === "serve" || a === "watch" || a === "archive") ?? "serve";
const main = mode === "watch" ? watchTree : mode === "archive" ? archive : serve;
main().catch((err) => {
  process.stderr.write(`workspace agent: ${err?.stack ?? err}\n`);
  process.exit(1);
});
