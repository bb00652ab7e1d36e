// The proxy in front of project hosts: the builtin edge or Traefik. The reconciler writes
// Route rows, then asks the proxy to confirm it serves them before it calls a service routed.

export interface VerifyOptions {
  /** Give up after this long (the adapter has a default). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ProxyProvider {
  readonly kind: "builtin" | "traefik";
  /**
   * Resolves once the proxy serves every hostname (an empty list checks that the proxy is
   * consuming our configuration at all). Rejects with a DomainError PROXY_ROUTE_NOT_LIVE naming
   * the first hostname that is not live and what the proxy last said about it.
   */
  verify(hostnames: readonly string[], opts?: VerifyOptions): Promise<void>;
}
