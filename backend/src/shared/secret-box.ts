import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// Secrets stored in the database (model API keys, OpenCode passwords) are sealed with
// AES-256-GCM under a key derived from the root secret for that purpose (config/secrets.ts
// deriveKey). The text form is "v1.<iv>.<tag>.<ciphertext>" (base64url): the version lets a
// later key or cipher coexist with rows sealed before it. `aad` binds a value to its row
// (e.g. the project id), so a sealed value copied into another row does not open there.

const VERSION = "v1";

export interface SecretBox {
  seal(plain: string, aad?: string): string;
  /** Throws when the value was not sealed by this key (or for another aad). */
  open(sealed: string, aad?: string): string;
}

export function secretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new Error("secretBox needs a 32-byte key");
  return {
    seal(plain, aad = "") {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(aad, "utf8"));
      const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), data]
        .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
        .join(".");
    },
    open(sealed, aad = "") {
      const [version, iv, tag, data] = sealed.split(".");
      if (version !== VERSION || !iv || !tag || data === undefined) throw new Error("not a sealed secret");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(aad, "utf8"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
    },
  };
}
