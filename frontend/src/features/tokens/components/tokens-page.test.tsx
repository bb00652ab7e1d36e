import { screen, within } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import type { ApiToken } from "../../../api/types";
import { apiError, apiToken } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";

describe("API tokens", () => {
  it("creates a token with scopes and expiry and shows it once, with a copy button", async () => {
    let tokens: ApiToken[] = [];
    let body: unknown;
    const created = apiToken({
      id: "tok2",
      name: "deploy",
      prefix: "dsk_9f8e",
      scopes: ["projects:read", "projects:write"],
    });
    server.use(
      http.get("/api/v1/tokens", () => HttpResponse.json({ tokens })),
      http.post("/api/v1/tokens", async ({ request }) => {
        body = await request.json();
        tokens = [created];
        return HttpResponse.json({ token: "dsk_9f8e_supersecret", apiToken: created }, { status: 201 });
      }),
    );
    const { user } = renderApp("/tokens");
    expect(await screen.findByText("No tokens yet.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Name"), "deploy");
    await user.click(screen.getByRole("checkbox", { name: /projects:write/ }));
    await user.selectOptions(screen.getByLabelText("Expires after"), "90 days");
    await user.click(screen.getByRole("button", { name: "Create token" }));

    const value = await screen.findByLabelText("New token");
    expect(value).toHaveValue("dsk_9f8e_supersecret");
    expect(body).toEqual({ name: "deploy", scopes: ["projects:read", "projects:write"], expiresInDays: 90 });
    await user.click(screen.getByRole("button", { name: "Copy" }));
    expect(await screen.findByText("Copied to the clipboard.")).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe("dsk_9f8e_supersecret");

    const row = (await screen.findByRole("cell", { name: "deploy" })).closest("tr") as HTMLElement;
    expect(within(row).getByText("dsk_9f8e…")).toBeInTheDocument();
    expect(within(row).getByText("projects:read, projects:write")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByDisplayValue("dsk_9f8e_supersecret")).not.toBeInTheDocument();
  });

  it("lists tokens with their last use and revokes one after confirmation", async () => {
    let tokens = [
      apiToken({ lastUsedAt: new Date(Date.now() - 2 * 3600_000).toISOString() }),
      apiToken({ id: "tok3", name: "laptop" }),
    ];
    server.use(
      http.get("/api/v1/tokens", () => HttpResponse.json({ tokens })),
      http.delete("/api/v1/tokens/tok1", () => {
        tokens = tokens.filter((t) => t.id !== "tok1");
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp("/tokens");
    const row = (await screen.findByRole("cell", { name: "ci" })).closest("tr") as HTMLElement;
    expect(within(row).getByText("2 hours ago")).toBeInTheDocument();
    await user.click(within(row).getByRole("button", { name: "Revoke ci" }));
    await user.click(
      within(screen.getByRole("dialog", { name: "Revoke ci?" })).getByRole("button", { name: "Revoke token" }),
    );
    await expect.poll(() => screen.queryByRole("cell", { name: "ci" })).toBeNull();
    expect(screen.getByRole("cell", { name: "laptop" })).toBeInTheDocument();
  });

  it("explains when the token was already revoked elsewhere", async () => {
    server.use(
      http.get("/api/v1/tokens", () => HttpResponse.json({ tokens: [apiToken()] })),
      http.delete("/api/v1/tokens/tok1", () =>
        HttpResponse.json(apiError("TOKEN_NOT_FOUND", "This token was already revoked."), { status: 404 }),
      ),
    );
    const { user } = renderApp("/tokens");
    await user.click(await screen.findByRole("button", { name: "Revoke ci" }));
    await user.click(screen.getByRole("button", { name: "Revoke token" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The token was not revoked.");
    expect(alert).toHaveTextContent("This token was already revoked.");
    expect(alert).toHaveTextContent("TOKEN_NOT_FOUND");
  });

  it("refuses a token without a name or a scope", async () => {
    server.use(http.get("/api/v1/tokens", () => HttpResponse.json({ tokens: [] })));
    const { user } = renderApp("/tokens");
    await user.click(await screen.findByRole("checkbox", { name: /projects:read/ }));
    await user.click(screen.getByRole("button", { name: "Create token" }));
    expect(screen.getByText("Name the token after what will use it.")).toBeInTheDocument();
    expect(screen.getByText("Pick at least one scope.")).toBeInTheDocument();
  });
});
