// A project's files: the tree, one file's content with its ETag, and the changes to them.
// files.changed on the project's events stream invalidates ['projects', id, 'files'].
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, rawFetch, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import type { FileEntry, WrittenFile } from "../../../api/types";

const base = (id: string) => `/api/v1/projects/${encodeURIComponent(id)}/files`;
const q = (path: string) => `path=${encodeURIComponent(path)}`;

/** The whole tree (to the server's entry limit): the console shows it all, folders collapsed. */
export const fileTreeQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.projectFiles(id),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/projects/{id}/files", { params: { path: { id }, query: { depth: 32, path: "" } }, signal }),
      ),
  });

export interface OpenedFile {
  path: string;
  text: string;
  etag: string;
  binary: boolean;
}

export const fileContentQuery = (id: string, path: string) =>
  queryOptions({
    queryKey: queryKeys.projectFile(id, path),
    queryFn: async ({ signal }): Promise<OpenedFile> => {
      const res = await rawFetch(`${base(id)}/content?${q(path)}`, { signal });
      const binary = !(res.headers.get("content-type") ?? "").startsWith("text/");
      return { path, text: binary ? "" : await res.text(), etag: res.headers.get("etag") ?? "", binary };
    },
    // An edit in progress must not be replaced behind the person's back: files.changed marks
    // it stale and the editor decides.
    staleTime: Number.POSITIVE_INFINITY,
  });

export const downloadArchiveUrl = (id: string) => `${base(id)}/archive`;
export const downloadFileUrl = (id: string, path: string) => `${base(id)}/content?${q(path)}`;

async function putFile(id: string, path: string, body: BodyInit, headers: Record<string, string>) {
  const res = await rawFetch(`${base(id)}/content?${q(path)}`, {
    method: "PUT",
    body,
    headers: { "content-type": "application/octet-stream", ...headers },
  });
  return (await res.json()) as WrittenFile;
}

export function useFileMutations(id: string) {
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: queryKeys.projectFiles(id) });
  return {
    save: useMutation({
      mutationFn: (f: { path: string; text: string; etag: string | null }) =>
        putFile(id, f.path, f.text, f.etag ? { "if-match": f.etag } : {}),
      onSuccess: (w, f) => {
        qc.setQueryData<OpenedFile>(queryKeys.projectFile(id, f.path), {
          path: f.path,
          text: f.text,
          etag: `"${w.etag}"`,
          binary: false,
        });
        void qc.invalidateQueries({ queryKey: queryKeys.projectFiles(id), exact: true });
      },
    }),
    create: useMutation({
      mutationFn: (path: string) => putFile(id, path, "", { "if-none-match": "*" }),
      onSuccess: refresh,
    }),
    upload: useMutation({
      mutationFn: async (files: { path: string; file: Blob }[]) => {
        for (const f of files) await putFile(id, f.path, f.file, {});
      },
      onSuccess: refresh,
    }),
    mkdir: useMutation({
      mutationFn: (path: string) =>
        unwrap(api.POST("/api/v1/projects/{id}/files/mkdir", { params: { path: { id } }, body: { path } })),
      onSuccess: refresh,
    }),
    move: useMutation({
      mutationFn: (m: { from: string; to: string }) =>
        unwrap(api.POST("/api/v1/projects/{id}/files/move", { params: { path: { id } }, body: m })),
      onSuccess: refresh,
    }),
    remove: useMutation({
      mutationFn: (e: Pick<FileEntry, "path" | "type">) =>
        rawFetch(`${base(id)}/content?${q(e.path)}&recursive=${e.type === "dir"}`, { method: "DELETE" }),
      onSuccess: (_r, e) => {
        qc.removeQueries({ queryKey: queryKeys.projectFile(id, e.path) });
        return refresh();
      },
    }),
  };
}
