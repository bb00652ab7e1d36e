import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

export interface TarEntry {
  name: string;
  /** Absent for a directory. */
  content?: Buffer | string;
  mode?: number;
}

// A minimal ustar writer: enough for Docker's putArchive, no dependency.
function header(name: string, size: number, mode: number, type: "0" | "5", owner: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  const h = Buffer.alloc(512);
  const put = (value: string, offset: number, length: number) => h.write(value.slice(0, length), offset, "utf8");
  const octal = (n: number, offset: number, length: number) =>
    put(`${n.toString(8).padStart(length - 1, "0")}\0`, offset, length);
  put(name, 0, 100);
  octal(mode, 100, 8);
  octal(owner, 108, 8);
  octal(owner, 116, 8);
  octal(size, 124, 12);
  octal(Math.floor(Date.now() / 1000), 136, 12);
  put("        ", 148, 8);
  put(type, 156, 1);
  put("ustar\u000000", 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return h;
}

/** A tar archive whose files belong to `owner` (uid = gid, 1000 = the images' `node` user). */
export function tarOf(entries: TarEntry[], owner = 1000): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.content === undefined) {
      parts.push(header(e.name.endsWith("/") ? e.name : `${e.name}/`, 0, e.mode ?? 0o755, "5", owner));
      continue;
    }
    const body = Buffer.from(e.content);
    parts.push(header(e.name, body.length, e.mode ?? 0o644, "0", owner), body);
    parts.push(Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Every file and folder below `dir`, as tar entries relative to it. */
export async function tarEntriesOf(dir: string, prefix = ""): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, d.name);
    const name = `${prefix}${d.name}`;
    if (d.isDirectory()) out.push({ name }, ...(await tarEntriesOf(full, `${name}/`)));
    else out.push({ name, content: await readFile(full), mode: (await stat(full)).mode & 0o777 });
  }
  return out;
}
