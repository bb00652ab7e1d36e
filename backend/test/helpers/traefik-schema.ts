import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";

// Traefik v3's dynamic-configuration schema, vendored with its notice (fixtures/traefik-schema/).
const SCHEMA = path.resolve(import.meta.dirname, "../fixtures/traefik-schema/traefik-v3-dynamic.schema.json");

/** A validator for Traefik's dynamic configuration; returns the errors as readable lines. */
export function traefikSchemaValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, "utf8")));
  return (doc: unknown): string[] =>
    validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}`);
}
