// A project's slug is one DNS label inside its hostnames (<slug>--preview.<APPS_DOMAIN>), so:
// [a-z0-9-], at most 40 characters, no leading/trailing '-', and no '--' (the kind separator).
export const SLUG_MAX = 40;

const RESERVED_SLUGS = new Set([
  "www",
  "api",
  "admin",
  "traefik",
  "console",
  "docs",
  "app",
  "apps",
  "auth",
  "login",
  "mail",
  "static",
  "status",
  "internal",
  "localhost",
  "deleted",
]);

/** The slug a name turns into, or null when nothing DNS-safe is left of it. */
export function slugify(name: string): string | null {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, SLUG_MAX)
    .replace(/-+$/, "");
  return slug.length > 0 ? slug : null;
}

export const isReserved = (slug: string) => RESERVED_SLUGS.has(slug) || slug.startsWith("deleted-");

/** `base`, then `base-2`, `base-3`, … each still at most SLUG_MAX characters. */
export function slugCandidate(base: string, attempt: number): string {
  if (attempt <= 1) return base;
  const suffix = `-${attempt}`;
  return `${base.slice(0, SLUG_MAX - suffix.length).replace(/-+$/, "")}${suffix}`;
}
