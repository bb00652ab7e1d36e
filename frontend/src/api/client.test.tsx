import { screen } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { me } from "../testing/fixtures";
import { renderApp } from "../testing/render";
import { server } from "../testing/server";
import { api, unwrap } from "./client";
import { ApiError } from "./errors";

describe("API client", () => {
  it("refreshes the session once on 401 and retries the request", async () => {
    let refreshed = 0;
    let fresh = false;
    server.use(
      http.get("/api/v1/me", () =>
        fresh
          ? HttpResponse.json(me())
          : HttpResponse.json(
              { error: { code: "TOKEN_EXPIRED", message: "expired", requestId: "r" } },
              { status: 401 },
            ),
      ),
      http.post("/api/v1/auth/refresh", () => {
        refreshed += 1;
        fresh = true;
        return HttpResponse.json({ expiresAt: new Date().toISOString() });
      }),
    );
    await expect(unwrap(api.GET("/api/v1/me"))).resolves.toMatchObject({ email: "ada@example.test" });
    expect(refreshed).toBe(1);
  });

  it("rejects with a typed error carrying code, message and request id", async () => {
    server.use(
      http.get("/api/v1/projects/x", () =>
        HttpResponse.json(
          { error: { code: "PROJECT_NOT_FOUND", message: "No such project", requestId: "req-42" } },
          { status: 404 },
        ),
      ),
    );
    const err = await unwrap(api.GET("/api/v1/projects/{id}", { params: { path: { id: "x" } } })).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      code: "PROJECT_NOT_FOUND",
      message: "No such project",
      requestId: "req-42",
      status: 404,
    });
  });

  it("turns a network failure into a NETWORK_ERROR", async () => {
    server.use(http.get("/api/v1/templates", () => HttpResponse.error()));
    await expect(unwrap(api.GET("/api/v1/templates"))).rejects.toMatchObject({ code: "NETWORK_ERROR", status: 0 });
  });

  it("sends the visitor to sign-in when the refresh fails too", async () => {
    server.use(
      http.get("/api/v1/tokens", () =>
        HttpResponse.json({ error: { code: "UNAUTHENTICATED", message: "x", requestId: "r" } }, { status: 401 }),
      ),
      http.post("/api/v1/auth/refresh", () => new HttpResponse(null, { status: 401 })),
      http.get("/api/v1/auth/providers", () => HttpResponse.json({ providers: [], bootstrap: true })),
    );
    const { router } = renderApp("/tokens");
    await expect.poll(() => router.state.location.pathname).toBe("/signin");
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
  });
});
