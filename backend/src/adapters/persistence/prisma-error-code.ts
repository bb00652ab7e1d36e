// The label a failed database call is counted under: Prisma's own code (P2002 unique, P1001
// unreachable …: a fixed list), "unknown" for anything else. Never the message: it holds values.
export function prismaErrorCode(err: unknown): string {
  const e = err as { code?: unknown; errorCode?: unknown } | null;
  for (const c of [e?.code, e?.errorCode]) if (typeof c === "string" && /^P\d{4}$/.test(c)) return c;
  return "unknown";
}
