// Linux capabilities a template may grant its containers (every container starts with all of
// them dropped). An allow-list, not a deny-list: a deny-list of SYS_ADMIN let `CAP_SYS_ADMIN`
// and `ALL` through. These are Docker's defaults without NET_RAW (forged packets on the project
// network) and MKNOD (device nodes): what a dev server or build may plausibly need.
export const ALLOWED_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
] as const;

const ALLOWED = new Set<string>(ALLOWED_CAPABILITIES);

/** `cap_net_bind_service` and `NET_BIND_SERVICE` name the same capability. */
export function normaliseCapability(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, "");
}

export function isAllowedCapability(name: string): boolean {
  return ALLOWED.has(normaliseCapability(name));
}

/** The allowed ones, normalised and without repeats; `refused` names the rest. */
export function allowedCapabilities(names: readonly string[]): { allowed: string[]; refused: string[] } {
  const normalised = [...new Set(names.map(normaliseCapability))];
  return {
    allowed: normalised.filter((c) => ALLOWED.has(c)),
    refused: normalised.filter((c) => !ALLOWED.has(c)),
  };
}
