import { QueryCache, QueryClient } from "@tanstack/react-query";
import { isApiError } from "../api/errors";
import { queryKeys } from "../api/query-keys";

// Client errors (4xx) are answers, not glitches: retrying them only delays the message.
const retry = (count: number, err: unknown) => !(isApiError(err) && err.status >= 400 && err.status < 500) && count < 2;

export function createQueryClient() {
  const qc: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // A 401 that survived the refresh means the session is over: `me` becomes null and the
      // route guard sends the visitor to the sign-in page.
      onError: (err) => {
        if (isApiError(err) && err.status === 401) qc.setQueryData(queryKeys.me, null);
      },
    }),
    defaultOptions: {
      queries: { retry, staleTime: 10_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
  return qc;
}
