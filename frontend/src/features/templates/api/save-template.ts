import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import type { Template, TemplateServices } from "../../../api/types";

export interface TemplateInput {
  slug: string;
  name: string;
  description: string;
  services: TemplateServices;
  /** Projects kept running for a create to claim (the warm pool); 0: none. */
  prewarm: number;
}

export function useSaveTemplate(id: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: TemplateInput): Promise<Template> =>
      id
        ? unwrap(api.PATCH("/api/v1/templates/{id}", { params: { path: { id } }, body }))
        : unwrap(api.POST("/api/v1/templates", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.templates }),
  });
}
