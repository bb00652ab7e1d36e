import http from "node:http";

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A request to a loopback port with an explicit Host header, as a browser resolving
 * `*.localhost` to 127.0.0.1 would send it (Node's resolver does not map *.localhost).
 */
export function requestVia(
  port: number,
  host: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path, method: opts.method ?? "GET", headers: { host, ...opts.headers } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** The name=value pair of a Set-Cookie header, and its attributes. */
export function parseSetCookie(header: string | string[] | undefined) {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return null;
  const [pair = "", ...attrs] = raw.split(";").map((s) => s.trim());
  return { pair, attrs: attrs.map((a) => a.toLowerCase()) };
}
