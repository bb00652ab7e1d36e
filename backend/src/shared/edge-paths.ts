// Paths shared by the edge (which serves them), the Traefik renderer (which routes to them) and
// the compose files: one definition for every side of the contract.

/** On every project host: the edge exchanges a one-time code here for the host's cookie. */
export const AUTH_CALLBACK_PATH = "/__devsanctum/auth";
/** On the control plane: where Traefik sends a project host whose service is not running. */
export const OFFLINE_PAGE_PATH = "/internal/traefik/offline";
/** On the control plane: Traefik's forwardAuth asks here before every private request. */
export const FORWARD_AUTH_PATH = "/internal/forward-auth";
