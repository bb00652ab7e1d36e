import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createQueryClient } from "../../../app/query-client";
import { apiError } from "../../../testing/fixtures";
import { server } from "../../../testing/server";
import type { ProjectUsage } from "../api/get-project-usage";
import { byteSize, UsagePanel } from "./usage-panel";

const usage = (requests: number): ProjectUsage => ({
  since: "2026-12-02T18:00:00.000Z",
  sampledAt: new Date().toISOString(),
  hosts: [
    {
      hostname: "shop--preview.localhost",
      kind: "preview",
      requests,
      bytesSent: 3 * 1024 * 1024,
      lastActivityAt: new Date().toISOString(),
    },
    { hostname: "shop--opencode.localhost", kind: "opencode", requests: 0, bytesSent: 0, lastActivityAt: null },
  ],
  containers: [
    { kind: "preview", running: true, cpuPercent: 12.34, memoryBytes: 42 * 1024 * 1024, memoryLimitBytes: 2 ** 29 },
    { kind: "opencode", running: false, cpuPercent: null, memoryBytes: null, memoryLimitBytes: null },
  ],
});

const renderPanel = (refreshMs?: number) =>
  render(
    <QueryClientProvider client={createQueryClient()}>
      <UsagePanel projectId="p1" {...(refreshMs ? { refreshMs } : {})} />
    </QueryClientProvider>,
  );

describe("UsagePanel", () => {
  it("asks for nothing while closed; opened, shows traffic per host and each container's CPU and memory", async () => {
    let calls = 0;
    server.use(
      http.get("/api/v1/projects/p1/usage", () => {
        calls++;
        return HttpResponse.json(usage(7));
      }),
    );
    renderPanel();
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(0);
    await userEvent.click(screen.getByText("Usage"));
    const hosts = await screen.findByRole("table", { name: "Traffic per host" });
    const preview = within(hosts).getByRole("row", { name: /shop--preview\.localhost/ });
    expect(preview).toHaveTextContent("7");
    expect(preview).toHaveTextContent("3.0 MB");
    expect(preview).toHaveTextContent("just now");
    expect(within(hosts).getByRole("row", { name: /shop--opencode/ })).toHaveTextContent("never");
    const containers = screen.getByRole("table", { name: "Containers" });
    expect(within(containers).getByRole("row", { name: /Dev preview/ })).toHaveTextContent("12.3 %42 MB / 512 MB");
    expect(within(containers).getByRole("row", { name: /OpenCode agent/ })).toHaveTextContent("not running");
  });

  it("refreshes while open", async () => {
    let calls = 0;
    server.use(http.get("/api/v1/projects/p1/usage", () => HttpResponse.json(usage(++calls))));
    renderPanel(50);
    await userEvent.click(screen.getByText("Usage"));
    const row = async () =>
      within(await screen.findByRole("table", { name: "Traffic per host" })).getByRole("row", {
        name: /shop--preview/,
      });
    expect(await row()).toHaveTextContent("1");
    await expect.poll(async () => (await row()).textContent, { timeout: 5000 }).toMatch(/shop--preview\.localhost3/);
  });

  it("says why when the figures cannot be read", async () => {
    server.use(
      http.get("/api/v1/projects/p1/usage", () =>
        HttpResponse.json(apiError("PROJECT_NOT_FOUND", "No such project"), { status: 404 }),
      ),
    );
    renderPanel();
    await userEvent.click(screen.getByText("Usage"));
    expect(await screen.findByRole("alert")).toHaveTextContent(/Usage is not available\..*No such project/);
  });

  it("writes byte sizes as docker stats does", () => {
    expect(byteSize(512)).toBe("512 B");
    expect(byteSize(3482)).toBe("3.4 KB");
    expect(byteSize(42 * 1024 * 1024)).toBe("42 MB");
  });
});
