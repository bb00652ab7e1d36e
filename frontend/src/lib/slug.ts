// Mirrors backend/src/modules/projects/project-slug.ts: a slug is one DNS label of three
// hostnames (`<slug>.<domain>`, `<slug>--preview.<domain>`): [a-z0-9-], no "--", at most 40.
export const NAME_MAX = 64;
const SLUG_MAX = 40;

export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, SLUG_MAX)
    .replace(/-+$/g, "");
}

/** The message to show under the name field, or null when the name is fine. */
export function validateProjectName(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return "Give the project a name.";
  if (trimmed.length > NAME_MAX) return `Keep the name under ${NAME_MAX + 1} characters.`;
  const slug = slugify(trimmed);
  if (!slug) return "Use at least one letter or digit.";
  return null;
}
