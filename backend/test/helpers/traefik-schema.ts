import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";

// The Traefik v3 dynamic-configuration schema lives in the team's shared folder, which CI lays
// beside the clone: <repo>/../shared/schemas/.
const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const TRAEFIK_SCHEMA_PATH = path.resolve(REPO_ROOT, "../shared/schemas/traefik-v3-dynamic.schema.json");

/** A validator for Traefik's dynamic configuration; returns the errors as readable lines. */
export function traefikSchemaValidator() {
  if (!existsSync(TRAEFIK_SCHEMA_PATH)) {
    throw new Error(
      `The Traefik schema is missing at ${TRAEFIK_SCHEMA_PATH}: these tests need the shared/ folder beside the repository (../shared/schemas/traefik-v3-dynamic.schema.json).`,
    );
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(TRAEFIK_SCHEMA_PATH, "utf8")));
  return (doc: unknown): string[] =>
    validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}`);
}
