import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { BuiltInTemplateSource } from "../../ports/templates.port.js";

/** Reads every `<root>/<slug>/template.json`; a missing root means no built-in templates. */
export function fsBuiltInTemplates(root: string): BuiltInTemplateSource {
  return {
    async load() {
      const entries = await readdir(root, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return [];
        throw err;
      });
      const found = [];
      for (const e of entries.filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
        const dir = path.join(root, e.name);
        const text = await readFile(path.join(dir, "template.json"), "utf8").catch(() => null);
        if (text === null) continue;
        try {
          found.push({ dir, manifest: JSON.parse(text) as unknown });
        } catch (err) {
          throw new Error(`${path.join(dir, "template.json")}: ${(err as Error).message}`);
        }
      }
      return found;
    },
  };
}
