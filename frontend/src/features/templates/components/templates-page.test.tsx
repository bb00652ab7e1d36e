import { screen } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { apiError, me, template } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";

describe("templates (admin)", () => {
  it("lists templates read-only for members", async () => {
    server.use(http.get("/api/v1/templates", () => HttpResponse.json({ templates: [template()] })));
    renderApp("/templates");
    expect(await screen.findByRole("heading", { name: "Vite + React" })).toBeInTheDocument();
    expect(screen.getByText(/preview \(devsanctum\/node:20, port 5173\)/)).toBeInTheDocument();
    expect(screen.getByText("Only admins can add or change templates.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New template" })).not.toBeInTheDocument();
  });

  it("creates a template, showing JSON and server validation errors", async () => {
    let body: unknown;
    let calls = 0;
    server.use(
      http.get("/api/v1/templates", () => HttpResponse.json({ templates: [template()] })),
      http.post("/api/v1/templates", async ({ request }) => {
        calls += 1;
        body = await request.json();
        if (calls === 1) {
          return HttpResponse.json(
            apiError("VALIDATION_FAILED", "The request is invalid", {
              details: { fields: [{ path: "services.preview.port", message: "Number must be at most 65535" }] },
            }),
            { status: 400 },
          );
        }
        return HttpResponse.json(template({ id: "t2", slug: "static", builtIn: false }), { status: 201 });
      }),
    );
    const { user } = renderApp("/templates", { signedIn: me({ role: "admin" }) });
    await user.click(await screen.findByRole("button", { name: "New template" }));
    await user.type(screen.getByLabelText("Slug"), "static");
    await user.type(screen.getByLabelText("Name"), "Static site");
    const editor = screen.getByLabelText("Services (JSON)");
    await user.clear(editor);
    await user.type(editor, '{{"preview": ');
    expect(screen.getByText(/services is not valid json/i)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Create template" })).toBeDisabled();

    await user.clear(editor);
    await user.paste(JSON.stringify({ preview: { ...template().services.preview, port: 99999 } }));
    await user.click(screen.getByRole("button", { name: "Create template" }));
    expect(await screen.findByText("services.preview.port: Number must be at most 65535")).toBeInTheDocument();
    expect(body).toMatchObject({ slug: "static", name: "Static site", services: { preview: { port: 99999 } } });

    await user.click(screen.getByRole("button", { name: "Create template" }));
    await expect.poll(() => screen.queryByRole("form", { name: "New template" })).toBeNull();
  });

  it("edits a template with PATCH", async () => {
    let patched: unknown;
    server.use(
      http.get("/api/v1/templates", () => HttpResponse.json({ templates: [template()] })),
      http.patch("/api/v1/templates/tpl-vite", async ({ request }) => {
        patched = await request.json();
        return HttpResponse.json(template({ description: "New words" }));
      }),
    );
    const { user } = renderApp("/templates", { signedIn: me({ role: "admin" }) });
    await user.click(await screen.findByRole("button", { name: "Edit Vite + React" }));
    const desc = screen.getByLabelText("Description");
    await user.clear(desc);
    await user.type(desc, "New words");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await expect.poll(() => patched).toMatchObject({ description: "New words", slug: "vite-react", prewarm: 0 });
  });

  it("sets the warm pool and shows it; a count over 20 is refused before anything is sent", async () => {
    let patched: { prewarm?: unknown } | undefined;
    let current = template();
    server.use(
      http.get("/api/v1/templates", () => HttpResponse.json({ templates: [current] })),
      http.patch("/api/v1/templates/tpl-vite", async ({ request }) => {
        patched = (await request.json()) as { prewarm?: unknown };
        current = template({ prewarm: patched.prewarm as number });
        return HttpResponse.json(current);
      }),
    );
    const { user } = renderApp("/templates", { signedIn: me({ role: "admin" }) });
    await user.click(await screen.findByRole("button", { name: "Edit Vite + React" }));
    const pool = screen.getByLabelText<HTMLInputElement>("Warm pool");
    await user.clear(pool);
    await user.type(pool, "50");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(pool.validity.rangeOverflow).toBe(true);
    expect(patched).toBeUndefined();

    await user.clear(pool);
    await user.type(pool, "2");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await expect.poll(() => patched?.prewarm).toBe(2);
    expect(await screen.findByText("Warm pool: 2 projects kept ready for a new project")).toBeInTheDocument();
  });

  it("shows a refused save (e.g. not an admin any more)", async () => {
    server.use(
      http.get("/api/v1/templates", () => HttpResponse.json({ templates: [] })),
      http.post("/api/v1/templates", () => HttpResponse.json(apiError("FORBIDDEN", "Admins only"), { status: 403 })),
    );
    const { user } = renderApp("/templates", { signedIn: me({ role: "admin" }) });
    await user.click(await screen.findByRole("button", { name: "New template" }));
    await user.type(screen.getByLabelText("Slug"), "x");
    await user.type(screen.getByLabelText("Name"), "X");
    await user.click(screen.getByRole("button", { name: "Create template" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Admins only");
  });
});
