import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (opts: { everywhere: boolean }) => unwrap(api.POST("/api/v1/auth/logout", { body: opts })),
    // Nothing cached for this person may outlive the session.
    onSuccess: () => {
      qc.clear();
      qc.setQueryData(queryKeys.me, null);
    },
  });
}
