// The Deploy button and the Deployments tab on the project page, against MSW: a deployment's
// log streams while it builds and its state follows the SSE feed; failures show their reason
// with a retry; a rollback happens only once confirmed.
import { screen, within } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import type { Deployment, Project } from "../../../api/types";
import { deployment, deploymentList, operation, project } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";
import { sseChannel } from "../../../testing/sse";

const LIVE_URL = "http://my-app.localhost:8080";

/** The project page's own endpoints, and GET …/deployments answering `list()` at each call. */
function serveProject(list: () => Deployment[], p: Project = project()) {
  const feeds = new Map<number, ReturnType<typeof sseChannel>>();
  const feed = (n: number) => {
    const c = feeds.get(n) ?? sseChannel();
    feeds.set(n, c);
    return c;
  };
  server.use(
    http.get(`/api/v1/projects/${p.id}`, () => HttpResponse.json(p)),
    http.get(`/api/v1/projects/${p.id}/events`, () => sseChannel().response([["project", p]])),
    http.get(`/api/v1/projects/${p.id}/operations`, () => HttpResponse.json({ operations: [] })),
    http.get(`/api/v1/projects/${p.id}/logs`, () => sseChannel().response()),
    http.get(`/api/v1/projects/${p.id}/deployments`, () => HttpResponse.json(deploymentList(list()))),
    // The agent's panel beside the preview (its own tests: features/agent): not configured here.
    http.get(`/api/v1/projects/${p.id}/agent-settings`, () =>
      HttpResponse.json({ override: null, effective: null, source: null }),
    ),
    http.get(`/api/v1/projects/${p.id}/deployments/:n/logs`, ({ params }) => feed(Number(params.n)).response()),
  );
  return { feed };
}

describe("Deploy", () => {
  it("deploys: the build's log streams, then the panel links to the live public host", async () => {
    let deployments: Deployment[] = [];
    const { feed } = serveProject(() => deployments);
    server.use(
      http.post("/api/v1/projects/p1/deployments", () => {
        deployments = [deployment({ number: 1, status: "queued", liveAt: null })];
        return HttpResponse.json(
          { deployment: deployments[0], operation: operation({ kind: "deploy", id: "op9" }) },
          { status: 202 },
        );
      }),
    );
    const { user } = renderApp("/projects/p1");
    const panel = await screen.findByRole("region", { name: "Production" });
    expect(within(panel).getByText(/Not deployed yet/)).toBeInTheDocument();
    await user.click(within(panel).getByRole("button", { name: "Deploy" }));

    expect(await within(panel).findByRole("button", { name: "Deploying…" })).toBeDisabled();
    await expect.poll(() => feed(1).connections).toBeGreaterThan(0);
    feed(1).send("log", { line: "▸ snapshot of the project's files taken (6144 bytes)" });
    feed(1).send("deployment", deployment({ number: 1, status: "building", liveAt: null }));
    feed(1).send("log", { line: "vite v8.4.0 building for production..." });
    const log = within(panel).getByRole("log", { name: "Log of deployment #1" });
    expect(await within(log).findByText(/building for production/)).toBeInTheDocument();
    expect(within(panel).getByRole("status")).toHaveTextContent("Building…");

    deployments = [deployment({ number: 1, status: "live", url: LIVE_URL, liveAt: new Date().toISOString() })];
    feed(1).send("deployment", deployments[0]);
    feed(1).send("end", { status: "live" });
    expect(await within(panel).findByRole("link", { name: LIVE_URL })).toHaveAttribute("href", LIVE_URL);
    expect(within(panel).getByText(/#1 · deployed just now/)).toBeInTheDocument();
    expect(within(panel).getByRole("button", { name: "Deploy" })).toBeEnabled();
  });

  it("a failed deployment shows why, its log on request, and Retry deploys again", async () => {
    const deployments = [
      deployment({ number: 2, status: "failed", error: "the build exited with code 3", liveAt: null }),
      deployment({ number: 1, status: "live", url: LIVE_URL }),
    ];
    const { feed } = serveProject(() => deployments);
    let posted = 0;
    server.use(
      http.post("/api/v1/projects/p1/deployments", () => {
        posted += 1;
        return HttpResponse.json(
          { deployment: deployment({ number: 3, status: "queued" }), operation: operation({ kind: "deploy" }) },
          { status: 202 },
        );
      }),
    );
    const { user } = renderApp("/projects/p1");
    const panel = await screen.findByRole("region", { name: "Production" });
    const alert = await within(panel).findByRole("alert");
    expect(alert).toHaveTextContent("Deployment #2 failed: the build exited with code 3. #1 is still serving.");
    await user.click(within(alert).getByRole("button", { name: "Show log" }));
    await expect.poll(() => feed(2).connections).toBeGreaterThan(0);
    feed(2).send("log", { line: "error: the widget is broken" });
    feed(2).send("end", { status: "failed" });
    expect(await within(panel).findByText("error: the widget is broken")).toBeInTheDocument();
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    await expect.poll(() => posted).toBe(1);
  });

  it("cancels a build in progress", async () => {
    let deployments = [deployment({ number: 4, status: "building", liveAt: null })];
    serveProject(() => deployments);
    let cancelled = false;
    server.use(
      http.post("/api/v1/projects/p1/deployments/4/cancel", () => {
        cancelled = true;
        deployments = [{ ...(deployments[0] as Deployment), cancelRequested: true }];
        return HttpResponse.json({ deployment: deployments[0] }, { status: 202 });
      }),
    );
    const { user } = renderApp("/projects/p1");
    const panel = await screen.findByRole("region", { name: "Production" });
    await user.click(await within(panel).findByRole("button", { name: "Cancel deployment" }));
    await expect.poll(() => cancelled).toBe(true);
    expect(await within(panel).findByText(/Cancelling…/)).toBeInTheDocument();
  });
});

describe("Deployments tab", () => {
  it("lists the history and rolls back only once confirmed", async () => {
    const deployments = [
      deployment({ number: 3, status: "live", kind: "rollback", rollbackOf: 1, url: LIVE_URL }),
      deployment({ number: 2, status: "superseded", warm: true, buildDurationMs: 61_500, sizeBytes: 3_500_000 }),
      deployment({ number: 1, status: "superseded", requestedBy: { id: "u2", name: null, email: "bob@example.test" } }),
    ];
    serveProject(() => deployments);
    let rolledBackTo: string | undefined;
    server.use(
      http.post("/api/v1/projects/p1/deployments/:n/rollback", ({ params }) => {
        rolledBackTo = String(params.n);
        return HttpResponse.json(
          {
            deployment: deployment({ number: 4, kind: "rollback", rollbackOf: 2, status: "queued" }),
            operation: operation({ kind: "rollback" }),
          },
          { status: 202 },
        );
      }),
    );
    const { user, router } = renderApp("/projects/p1");
    await user.click(await screen.findByRole("link", { name: "Deployments" }));
    expect(router.state.location.pathname).toBe("/projects/p1/deployments");
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[0]?.textContent)).toEqual(["3", "2", "1"]);
    expect(rows[0]).toHaveTextContent("Rollback to #1");
    expect(rows[1]).toHaveTextContent("warm");
    expect(rows[1]).toHaveTextContent("1 min 2 s");
    expect(rows[1]).toHaveTextContent("3.3 MB");
    expect(rows[2]).toHaveTextContent("bob@example.test");
    expect(within(rows[0] as HTMLElement).queryByRole("button", { name: /Roll back/ })).not.toBeInTheDocument();

    await user.click(within(rows[1] as HTMLElement).getByRole("button", { name: "Roll back to #2" }));
    const dialog = screen.getByRole("dialog", { name: "Roll back to #2?" });
    expect(dialog).toHaveTextContent("It is still running: the switch is instant.");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(rolledBackTo).toBeUndefined();
    await user.click(screen.getByRole("button", { name: "Roll back to #2" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Roll back" }));
    await expect.poll(() => rolledBackTo).toBe("2");
  });

  it("opens on its own address, with the Production panel above it", async () => {
    serveProject(() => []);
    renderApp("/projects/p1/deployments");
    expect(await screen.findByText(/No deployments yet/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Deployments" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("region", { name: "Production" })).toBeInTheDocument();
  });
});
