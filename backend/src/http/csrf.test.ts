import type { FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { isSameOriginRequest } from "./csrf.js";

const req = (method: string, headers: Record<string, string>) => ({ method, headers }) as unknown as FastifyRequest;
const CONSOLE = "https://ds.example.com";

describe("isSameOriginRequest", () => {
  it("lets safe methods through", () => {
    expect(isSameOriginRequest(req("GET", { origin: "https://evil.example" }), CONSOLE)).toBe(true);
  });

  it("needs the console's Origin, or its Referer when Origin is absent", () => {
    expect(isSameOriginRequest(req("POST", { origin: CONSOLE }), CONSOLE)).toBe(true);
    expect(isSameOriginRequest(req("DELETE", { referer: `${CONSOLE}/tokens` }), CONSOLE)).toBe(true);
    expect(isSameOriginRequest(req("POST", {}), CONSOLE)).toBe(false);
    expect(isSameOriginRequest(req("POST", { origin: "null" }), CONSOLE)).toBe(false);
    expect(isSameOriginRequest(req("POST", { origin: "https://ds.example.com.evil.example" }), CONSOLE)).toBe(false);
    expect(isSameOriginRequest(req("POST", { origin: "http://ds.example.com" }), CONSOLE)).toBe(false);
    expect(isSameOriginRequest(req("PATCH", { referer: "not a url" }), CONSOLE)).toBe(false);
  });
});
