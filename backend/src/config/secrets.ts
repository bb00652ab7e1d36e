import { hkdfSync, randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

// One root secret (SECRET_KEY, or generated once into DATA_DIR/secret-key with mode 0600)
// from which every purpose derives its own key, so rotating it signs everyone out at once
// and no two purposes share key material.
export async function loadRootSecret(opts: { secretKey?: string | undefined; dataDir: string }): Promise<Buffer> {
  if (opts.secretKey) return Buffer.from(opts.secretKey, "utf8");
  const file = path.join(opts.dataDir, "secret-key");
  try {
    return Buffer.from((await readFile(file, "utf8")).trim(), "base64url");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  await mkdir(opts.dataDir, { recursive: true });
  const secret = randomBytes(32);
  await writeFile(file, secret.toString("base64url"), { mode: 0o600, flag: "wx" });
  await chmod(file, 0o600);
  return secret;
}

export function deriveKey(root: Buffer, purpose: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", root, Buffer.alloc(0), `devsanctum:${purpose}`, 32));
}
