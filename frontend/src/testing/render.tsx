import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { HttpResponse, http } from "msw";
import { createMemoryRouter, RouterProvider } from "react-router";
import type { Me } from "../api/types";
import { createQueryClient } from "../app/query-client";
import { routes } from "../app/router";
import { me as makeMe } from "./fixtures";
import { server } from "./server";

/** The whole console at `path`, as a signed-in user unless `signedIn: null`. */
export function renderApp(path: string, opts: { signedIn?: Me | null } = {}) {
  const who = opts.signedIn === undefined ? makeMe() : opts.signedIn;
  server.use(
    http.get("/api/v1/me", () =>
      who
        ? HttpResponse.json(who)
        : HttpResponse.json(
            { error: { code: "UNAUTHENTICATED", message: "Sign in", requestId: "r" } },
            { status: 401 },
          ),
    ),
  );
  if (!who) {
    server.use(http.post("/api/v1/auth/refresh", () => new HttpResponse(null, { status: 401 })));
  }
  const queryClient = createQueryClient();
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const user = userEvent.setup();
  const view = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { ...view, router, queryClient, user };
}
