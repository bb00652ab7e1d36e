// Who is signed in. `null` means nobody: the app layer sends them to the sign-in page.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { isApiError } from "../api/errors";
import { queryKeys } from "../api/query-keys";
import type { Me } from "../api/types";

const meQuery = () =>
  queryOptions({
    queryKey: queryKeys.me,
    queryFn: async (): Promise<Me | null> => {
      try {
        return await unwrap(api.GET("/api/v1/me"));
      } catch (err) {
        if (isApiError(err) && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });

export const useMe = () => useQuery(meQuery());
