// The project's files as a WAI-ARIA tree: one tab stop (roving tabindex), arrows move, Right
// opens a folder or enters it, Left closes it or goes to its parent, Home/End, Enter opens a
// file. Folders start closed; the one holding the open file is opened.
import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from "react";
import type { FileEntry } from "../../../api/types";

interface Node {
  entry: FileEntry;
  depth: number;
  parent: string | null;
}

const parentOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : null);

export function FileTree({
  entries,
  selected,
  onSelect,
  onOpen,
}: {
  entries: FileEntry[];
  selected: string | null;
  onSelect: (entry: FileEntry) => void;
  onOpen: (entry: FileEntry) => void;
}) {
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const [focused, setFocused] = useState<string | null>(null);
  const refs = useRef(new Map<string, HTMLDivElement>());

  // The selected file's folders are open.
  useEffect(() => {
    if (!selected) return;
    setExpanded((prev) => {
      const next = new Set(prev);
      for (let p = parentOf(selected); p; p = parentOf(p)) next.add(p);
      return next.size === prev.size ? prev : next;
    });
  }, [selected]);

  const visible = useMemo(() => {
    const byParent = new Map<string | null, FileEntry[]>();
    for (const e of entries) {
      const parent = parentOf(e.path);
      byParent.set(parent, [...(byParent.get(parent) ?? []), e]);
    }
    const out: Node[] = [];
    const walk = (parent: string | null, depth: number) => {
      for (const entry of byParent.get(parent) ?? []) {
        out.push({ entry, depth, parent });
        if (entry.type === "dir" && expanded.has(entry.path)) walk(entry.path, depth + 1);
      }
    };
    walk(null, 1);
    return out;
  }, [entries, expanded]);

  const current =
    focused && visible.some((n) => n.entry.path === focused) ? focused : (selected ?? visible[0]?.entry.path);
  const move = (path: string | undefined) => {
    if (!path) return;
    setFocused(path);
    refs.current.get(path)?.focus();
  };
  const toggle = (path: string, open?: boolean) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open ?? !next.has(path)) next.add(path);
      else next.delete(path);
      return next;
    });

  const onKeyDown = (e: KeyboardEvent, node: Node, index: number) => {
    const { entry } = node;
    const isDir = entry.type === "dir";
    const handled = () => {
      e.preventDefault();
      e.stopPropagation();
    };
    switch (e.key) {
      case "ArrowDown":
        handled();
        move(visible[index + 1]?.entry.path);
        break;
      case "ArrowUp":
        handled();
        move(visible[index - 1]?.entry.path);
        break;
      case "Home":
        handled();
        move(visible[0]?.entry.path);
        break;
      case "End":
        handled();
        move(visible.at(-1)?.entry.path);
        break;
      case "ArrowRight":
        handled();
        if (isDir && !expanded.has(entry.path)) toggle(entry.path, true);
        else if (isDir) move(visible[index + 1]?.parent === entry.path ? visible[index + 1]?.entry.path : undefined);
        break;
      case "ArrowLeft":
        handled();
        if (isDir && expanded.has(entry.path)) toggle(entry.path, false);
        else move(node.parent ?? undefined);
        break;
      case "Enter":
      case " ":
        handled();
        onSelect(entry);
        if (isDir) toggle(entry.path);
        else onOpen(entry);
        break;
    }
  };

  if (visible.length === 0) return <p className="muted">No files yet.</p>;
  return (
    <div role="tree" aria-label="Project files" className="file-tree">
      {visible.map((node, i) => {
        const { entry } = node;
        const isDir = entry.type === "dir";
        return (
          <div
            key={entry.path}
            ref={(el) => {
              if (el) refs.current.set(entry.path, el);
              else refs.current.delete(entry.path);
            }}
            role="treeitem"
            aria-level={node.depth}
            aria-selected={entry.path === selected}
            aria-expanded={isDir ? expanded.has(entry.path) : undefined}
            tabIndex={entry.path === current ? 0 : -1}
            className={`file-tree-item${entry.path === selected ? " selected" : ""}`}
            style={{ paddingLeft: `${(node.depth - 1) * 1.1 + 0.4}rem` }}
            onKeyDown={(e) => onKeyDown(e, node, i)}
            onFocus={() => setFocused(entry.path)}
            onClick={(e) => {
              e.stopPropagation();
              setFocused(entry.path);
              onSelect(entry);
              if (isDir) toggle(entry.path);
              else onOpen(entry);
            }}
          >
            <span aria-hidden="true" className="file-tree-icon">
              {isDir ? (expanded.has(entry.path) ? "▾" : "▸") : entry.type === "symlink" ? "↪" : "·"}
            </span>
            {entry.name}
          </div>
        );
      })}
    </div>
  );
}
