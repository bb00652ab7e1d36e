// Where to send a browser after sign-in: a path on the same origin, never another site.
// Pattern checks are not enough: browsers drop tab, CR and LF from URLs, so "/\t/evil.example"
// becomes "//evil.example" (another origin), and a CR/LF in a Location header made the redirect
// throw (500). So control characters and backslashes are refused outright, and what is left is
// parsed with the WHATWG URL parser against a fixed origin: anything that leaves it is refused.
import { hasControlCharacters } from "./text.js";

const BASE = "http://devsanctum.invalid";

export function safePath(path: string | undefined | null): string {
  if (!path?.startsWith("/") || path.includes("\\") || hasControlCharacters(path)) return "/";
  let url: URL;
  try {
    url = new URL(path, BASE);
  } catch {
    return "/";
  }
  return url.origin === BASE ? `${url.pathname}${url.search}${url.hash}` : "/";
}
