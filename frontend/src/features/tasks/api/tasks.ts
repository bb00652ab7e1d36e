// A project's tasks (issue #14): the board's list, one task, its diff, creating and running.
// The events stream's task.changed invalidates ['projects', id, 'tasks'], so all of it stays live.
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import type { components } from "../../../api/schema";

type GeneratedTask = components["schemas"]["Task"];

export type Task = GeneratedTask;

export type TaskStatus = Task["status"];
export type QaResults = NonNullable<Task["qaResults"]>;
export type QaGate = QaResults["gates"][number];
export type TaskAgent = NonNullable<Task["agent"]>;
export type ReviewComment = { path: string; line: number; body: string };

const taskPath = (id: string, n: number) => ({ params: { path: { id, n } } });

export const tasksQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.tasks(id),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/v1/projects/{id}/tasks", { params: { path: { id }, query: {} }, signal })))
        .tasks as Task[],
  });

export const taskQuery = (id: string, n: number) =>
  queryOptions({
    queryKey: queryKeys.task(id, n),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/v1/projects/{id}/tasks/{n}", { ...taskPath(id, n), signal }))) as Task,
  });

export const taskDiffQuery = (id: string, n: number) =>
  queryOptions({
    queryKey: queryKeys.taskDiff(id, n),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/projects/{id}/tasks/{n}/diff", { ...taskPath(id, n), signal })),
  });

/** Puts a task the server answered with into the cache: its own entry and its place in the list. */
export function storeTask(qc: ReturnType<typeof useQueryClient>, projectId: string, task: Task) {
  qc.setQueryData<Task>(queryKeys.task(projectId, task.n), task);
  qc.setQueryData<Task[]>(queryKeys.tasks(projectId), (list) => list?.map((t) => (t.n === task.n ? task : t)));
}

export function useCreateTask(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: queryKeys.tasks(id),
    mutationFn: (body: { title: string; description: string }) =>
      unwrap(api.POST("/api/v1/projects/{id}/tasks", { params: { path: { id } }, body })) as Promise<Task>,
    onSuccess: (task) => qc.setQueryData<Task[]>(queryKeys.tasks(id), (list) => (list ? [...list, task] : list)),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.tasks(id), exact: true }),
  });
}

export function useRunTask(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: queryKeys.tasks(id),
    mutationFn: async (n: number) =>
      (await unwrap(api.POST("/api/v1/projects/{id}/tasks/{n}/run", taskPath(id, n)))).task,
    onSuccess: (task) => storeTask(qc, id, task),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.tasks(id) }),
  });
}
