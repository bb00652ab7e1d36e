// The entries of an uploaded tar archive, read in memory (its size is bounded before this).
import { Readable } from "node:stream";
import { extract } from "tar-stream";
import { badRequest } from "../../shared/errors.js";

export interface TarEntry {
  name: string;
  type: string;
  mode: number;
  content: Buffer;
}

export async function readTarEntries(tar: Buffer): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        entries.push({
          name: header.name.replace(/^(\.\/)+/, "").replace(/\/+$/, ""),
          type: header.type ?? "file",
          mode: header.mode ?? 0o644,
          content: Buffer.concat(chunks),
        });
        next();
      });
      stream.on("error", reject);
    });
    ex.on("finish", () => resolve());
    ex.on("error", () => reject(badRequest("ARCHIVE_INVALID", "The upload is not a readable .tar.gz or .tar archive")));
  });
  Readable.from([tar]).pipe(ex);
  await done;
  return entries.filter((e) => e.name !== "" && e.name !== ".");
}
