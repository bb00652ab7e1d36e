import { screen } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";

describe("sign-in page", () => {
  it("offers one button per configured provider, carrying where to go next", async () => {
    server.use(
      http.get("/api/v1/auth/providers", () =>
        HttpResponse.json({
          providers: [
            { id: "github", name: "GitHub" },
            { id: "google", name: "Google" },
          ],
          bootstrap: false,
        }),
      ),
    );
    renderApp("/signin?next=/projects/p1", { signedIn: null });
    const github = await screen.findByRole("link", { name: /continue with github/i });
    expect(github).toHaveAttribute("href", "/api/v1/auth/github/start?next=%2Fprojects%2Fp1");
    expect(screen.getByRole("link", { name: /continue with google/i })).toBeInTheDocument();
    expect(screen.queryByText(/no sign-in provider is configured/i)).not.toBeInTheDocument();
  });

  it("explains the printed one-time link in bootstrap mode", async () => {
    server.use(http.get("/api/v1/auth/providers", () => HttpResponse.json({ providers: [], bootstrap: true })));
    renderApp("/signin", { signedIn: null });
    expect(await screen.findByText(/no sign-in provider is configured/i)).toBeInTheDocument();
    expect(screen.getByText(/auth\/bootstrap\?token=/)).toBeInTheDocument();
  });

  it("says clearly why a sign-up was refused", async () => {
    server.use(
      http.get("/api/v1/auth/providers", () =>
        HttpResponse.json({ providers: [{ id: "github", name: "GitHub" }], bootstrap: false }),
      ),
    );
    renderApp("/signin?error=SIGNUP_CLOSED", { signedIn: null });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(/does not accept new accounts/i);
    expect(alert).toHaveTextContent("SIGNUP_CLOSED");
  });

  it("sends a visitor without a session from a console page to sign-in, remembering the page", async () => {
    server.use(http.get("/api/v1/auth/providers", () => HttpResponse.json({ providers: [], bootstrap: true })));
    const { router } = renderApp("/tokens", { signedIn: null });
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/signin");
    expect(router.state.location.search).toBe("?next=%2Ftokens");
  });
});
