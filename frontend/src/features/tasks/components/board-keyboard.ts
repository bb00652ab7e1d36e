// The board's keyboard moves, by place rather than by pixels: left and right go to the
// neighbouring column (same row, or its end), up and down through the column. A slot is a card
// ("before it", or its own place) or a column ("at its end"); the active card's own column has
// no end slot, its last card is that place already.
import { TASK_STATUSES } from "../../../lib/vocabulary";
import type { Columns } from "../api/board";
import type { TaskStatus } from "../api/tasks";

export const cardId = (n: number) => `task:${n}`;
export const columnId = (s: TaskStatus) => `column:${s}`;
export const nOf = (id: string) => (id.startsWith("task:") ? Number(id.slice(5)) : null);
export const statusOf = (id: string) => (id.startsWith("column:") ? (id.slice(7) as TaskStatus) : null);

function slots(cols: Columns, status: TaskStatus, activeN: number): string[] {
  const cards = cols[status].map((t) => cardId(t.n));
  return cols[status].some((t) => t.n === activeN) ? cards : [...cards, columnId(status)];
}

function whereIs(cols: Columns, id: string): TaskStatus | null {
  const s = statusOf(id);
  if (s) return s;
  const n = nOf(id);
  return TASK_STATUSES.find((st) => cols[st].some((t) => t.n === n)) ?? null;
}

export type Direction = "up" | "down" | "left" | "right";
export const DIRECTION: Record<string, Direction> = {
  ArrowUp: "up",
  ArrowDown: "down",
  ArrowLeft: "left",
  ArrowRight: "right",
};

/** The slot one step from `over` (a card or column id), or null at the board's edge. */
export function step(cols: Columns, activeN: number, over: string, dir: Direction): string | null {
  const status = whereIs(cols, over);
  if (!status) return null;
  const here = slots(cols, status, activeN);
  const i = Math.max(0, here.indexOf(over));
  if (dir === "up" || dir === "down") return here[i + (dir === "down" ? 1 : -1)] ?? null;
  const c = TASK_STATUSES.indexOf(status) + (dir === "right" ? 1 : -1);
  const next = TASK_STATUSES[c];
  if (!next) return null;
  const there = slots(cols, next, activeN);
  return there[Math.min(i, there.length - 1)] ?? null;
}

/** Where a drop on `over` puts the active card: its column and index (counted without it). */
export function dropTarget(cols: Columns, activeN: number, over: string) {
  const status = whereIs(cols, over);
  if (!status) return null;
  const others = cols[status].filter((t) => t.n !== activeN);
  const n = nOf(over);
  if (n === null) return { status, position: others.length };
  if (n === activeN) return { status, position: cols[status].findIndex((t) => t.n === activeN) };
  // In its own column the card takes the place of the one it is over (as arrayMove does); in
  // another column it goes before it.
  const own = cols[status].findIndex((t) => t.n === activeN);
  const at = cols[status].findIndex((t) => t.n === n);
  return { status, position: own >= 0 ? at : others.findIndex((t) => t.n === n) };
}
