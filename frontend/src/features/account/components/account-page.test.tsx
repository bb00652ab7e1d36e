import { screen } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { me } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";

describe("account", () => {
  it("shows who is signed in", async () => {
    renderApp("/account", { signedIn: me({ role: "admin" }) });
    expect(await screen.findByRole("heading", { name: "Ada Lovelace" })).toBeInTheDocument();
    expect(screen.getByText("ada@example.test")).toBeInTheDocument();
    expect(screen.getByText("Admin")).toBeInTheDocument();
  });

  it.each([
    ["Sign out", false],
    ["Sign out everywhere", true],
  ])("%s ends the session and returns to sign-in", async (label, everywhere) => {
    let body: unknown;
    server.use(
      http.post("/api/v1/auth/logout", async ({ request }) => {
        body = await request.json();
        return new HttpResponse(null, { status: 204 });
      }),
      http.get("/api/v1/auth/providers", () => HttpResponse.json({ providers: [], bootstrap: true })),
    );
    const { user, router } = renderApp("/account");
    await user.click(await screen.findByRole("button", { name: label }));
    await expect.poll(() => router.state.location.pathname).toBe("/signin");
    expect(body).toEqual({ everywhere });
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
  });
});
