import { describe, expect, it } from "vitest";
import { sessionCookies } from "./session-cookies.js";

describe("sessionCookies", () => {
  it.each([
    ["https://ds.example.com", true],
    ["https://localhost:3000", true],
    ["http://ds.example.com", true],
    ["http://localhost:3000", false],
    ["http://console.localhost:3000", false],
    ["http://127.0.0.1:3000", false],
    ["http://[::1]:3000", false],
  ])("%s → Secure, __Host- prefixed: %s", (url, secure) => {
    const c = sessionCookies(url);
    expect(c.secure).toBe(secure);
    expect(c.access).toBe(secure ? "__Host-ds_access" : "ds_access");
    expect(c.refresh).toBe(secure ? "__Host-ds_refresh" : "ds_refresh");
  });
});
