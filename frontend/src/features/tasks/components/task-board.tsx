// The project's task board: a column per status, cards dragged between columns and within one
// (pointer or keyboard, with spoken announcements), shown moved at once and put back with the
// server's reason when it refuses. The project's events stream keeps it live (task.changed).
import {
  type Announcements,
  type CollisionDetection,
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDroppable,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import { SortableContext, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { ErrorMessage } from "../../../components/error-message";
import { Loading } from "../../../components/spinner";
import { TASK_STATUSES } from "../../../lib/vocabulary";
import { type Columns, columnsOf } from "../api/board";
import { useMoveTask } from "../api/move-task";
import { type Task, type TaskStatus, tasksQuery, useRunTask } from "../api/tasks";
import { cardId, columnId, DIRECTION, dropTarget, nOf, step } from "./board-keyboard";
import { CreateTaskForm } from "./create-task-form";
import { TaskCard } from "./task-card";
import { STATUS_LABEL } from "./task-labels";
import "./tasks.css";

const INSTRUCTIONS =
  "To move a task, focus its handle and press space or enter. Left and right arrows move it between columns, " +
  "up and down within one. Press space or enter again to drop it, escape to cancel.";

function SortableCard(props: { task: Task; projectId: string; onRun: (n: number) => void; running: boolean }) {
  const { task } = props;
  const s = useSortable({ id: cardId(task.n) });
  return (
    <li
      ref={s.setNodeRef}
      className={`task-slot${s.isDragging ? " dragging" : ""}${s.isOver && !s.isDragging ? " drop-here" : ""}`}
      style={{ transform: CSS.Translate.toString(s.transform), transition: s.transition }}
    >
      <TaskCard
        {...props}
        handle={
          <button
            type="button"
            ref={s.setActivatorNodeRef}
            className="task-handle"
            {...s.attributes}
            {...s.listeners}
            aria-label={`Move task #${task.n}: ${task.title}`}
          >
            <span aria-hidden="true">⠿</span>
          </button>
        }
      />
    </li>
  );
}

function Column(props: {
  status: TaskStatus;
  tasks: Task[];
  projectId: string;
  onRun: (n: number) => void;
  running: boolean;
}) {
  const { status, tasks } = props;
  const drop = useDroppable({ id: columnId(status) });
  const titleId = `column-${status}`;
  return (
    <section className={`task-column${drop.isOver ? " drop-here" : ""}`} aria-labelledby={titleId}>
      <h3 id={titleId}>
        {STATUS_LABEL[status]} <span className="muted task-count">{tasks.length}</span>
      </h3>
      <SortableContext items={tasks.map((t) => cardId(t.n))} strategy={verticalListSortingStrategy}>
        <ul ref={drop.setNodeRef} className="task-list">
          {tasks.map((t) => (
            <SortableCard key={t.n} task={t} projectId={props.projectId} onRun={props.onRun} running={props.running} />
          ))}
        </ul>
      </SortableContext>
    </section>
  );
}

export function TaskBoard({ projectId }: { projectId: string }) {
  const tasks = useQuery(tasksQuery(projectId));
  const move = useMoveTask(projectId);
  const run = useRunTask(projectId);
  const [active, setActive] = useState<Task | null>(null);
  const cols = useMemo(() => columnsOf(tasks.data ?? []), [tasks.data]);
  // The sensors and collision detection outlive a render: they read the board through refs.
  const colsRef = useRef<Columns>(cols);
  colsRef.current = cols;
  const keyboardOver = useRef<string | null>(null);
  const activeN = useRef<number | null>(null);

  const coordinateGetter: KeyboardCoordinateGetter = (event, { context, currentCoordinates }) => {
    const dir = DIRECTION[event.code];
    const n = activeN.current;
    if (!dir || n === null) return undefined;
    event.preventDefault();
    const next = step(colsRef.current, n, keyboardOver.current ?? cardId(n), dir);
    if (!next) return currentCoordinates;
    keyboardOver.current = next;
    const rect = context.droppableRects.get(next);
    if (!rect) return currentCoordinates;
    // A column's slot is its end: below its last card.
    return nOf(next) === null
      ? { x: rect.left, y: Math.max(rect.top, rect.bottom - 80) }
      : { x: rect.left, y: rect.top };
  };
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter }),
  );
  const collisionDetection: CollisionDetection = (args) => {
    if (keyboardOver.current) return [{ id: keyboardOver.current }];
    const under = pointerWithin(args);
    const cards = under.filter((c) => nOf(String(c.id)) !== null);
    if (cards.length) return cards;
    return under.length ? under : rectIntersection(args);
  };

  const name = (id: string | number) => {
    const t = tasks.data?.find((x) => x.n === nOf(String(id)));
    return t ? `task #${t.n}, ${t.title}` : "the task";
  };
  const place = (activeId: string | number, overId: string | number | undefined) => {
    const n = nOf(String(activeId));
    const to = n !== null && overId !== undefined ? dropTarget(colsRef.current, n, String(overId)) : null;
    return to ? `${STATUS_LABEL[to.status]}, position ${to.position + 1}` : "no column";
  };
  const home = (activeId: string | number) => {
    const t = tasks.data?.find((x) => x.n === nOf(String(activeId)));
    return t ? STATUS_LABEL[t.status] : "its column";
  };
  const announcements: Announcements = {
    onDragStart: ({ active: a }) => `Picked up ${name(a.id)}, in ${home(a.id)}.`,
    // Over its own place (as at the start) is no news.
    onDragOver: ({ active: a, over }) =>
      over?.id === a.id ? undefined : `${name(a.id)} is over ${place(a.id, over?.id)}.`,
    onDragEnd: ({ active: a, over }) =>
      over ? `${name(a.id)} was dropped in ${place(a.id, over.id)}.` : `${name(a.id)} was put back.`,
    onDragCancel: ({ active: a }) => `Moving ${name(a.id)} was cancelled; it stays in ${home(a.id)}.`,
  };

  const onDragStart = (e: DragStartEvent) => {
    const n = nOf(String(e.active.id));
    activeN.current = n;
    keyboardOver.current = e.activatorEvent instanceof KeyboardEvent ? String(e.active.id) : null;
    setActive(tasks.data?.find((t) => t.n === n) ?? null);
    move.reset();
  };
  const finish = () => {
    activeN.current = null;
    keyboardOver.current = null;
    setActive(null);
  };
  const onDragEnd = (e: DragEndEvent) => {
    const n = nOf(String(e.active.id));
    const over = e.over ? String(e.over.id) : null;
    finish();
    if (n === null || !over) return;
    const task = tasks.data?.find((t) => t.n === n);
    const to = dropTarget(cols, n, over);
    if (!task || !to) return;
    const now = cols[task.status].findIndex((t) => t.n === n);
    if (to.status === task.status && to.position === now) return;
    move.mutate({ move: { n, ...to }, from: task.status });
  };

  if (tasks.isPending) return <Loading label="Loading the tasks…" />;
  return (
    <section className="panel task-board-panel" aria-labelledby="tasks-title">
      <div className="panel-head">
        <h2 id="tasks-title">Tasks</h2>
      </div>
      <CreateTaskForm projectId={projectId} />
      <ErrorMessage error={tasks.error} title="Could not load the tasks." />
      <ErrorMessage error={move.error} title="The card went back:" />
      <ErrorMessage error={run.error} title="The task did not start:" />
      <DndContext
        sensors={sensors}
        collisionDetection={collisionDetection}
        accessibility={{ announcements, screenReaderInstructions: { draggable: INSTRUCTIONS } }}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={finish}
      >
        <div className="task-board">
          {TASK_STATUSES.map((s) => (
            <Column
              key={s}
              status={s}
              tasks={cols[s]}
              projectId={projectId}
              onRun={(n) => run.mutate(n)}
              running={run.isPending}
            />
          ))}
        </div>
        <DragOverlay>{active ? <TaskCard task={active} projectId={projectId} /> : null}</DragOverlay>
      </DndContext>
    </section>
  );
}
