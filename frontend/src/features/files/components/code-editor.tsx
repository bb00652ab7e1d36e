// CodeMirror 6, loaded only when a file is opened (React.lazy in file-editor.tsx), with the
// language of the file's extension, itself loaded on demand. Ctrl/Cmd-S saves.
import { indentWithTab } from "@codemirror/commands";
import type { Extension } from "@codemirror/state";
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { useEffect, useRef } from "react";

async function languageFor(path: string): Promise<Extension> {
  const ext = path.split(".").pop()?.toLowerCase() ?? "";
  if (["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"].includes(ext)) {
    const { javascript } = await import("@codemirror/lang-javascript");
    return javascript({ typescript: ext.includes("t"), jsx: ext.endsWith("x") });
  }
  if (ext === "css") return (await import("@codemirror/lang-css")).css();
  if (ext === "html" || ext === "htm") return (await import("@codemirror/lang-html")).html();
  if (ext === "json") return (await import("@codemirror/lang-json")).json();
  if (ext === "md" || ext === "markdown") return (await import("@codemirror/lang-markdown")).markdown();
  return [];
}

export default function CodeEditor({
  path,
  value,
  onChange,
  onSave,
  label,
}: {
  path: string;
  value: string;
  onChange: (text: string) => void;
  onSave: () => void;
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const callbacks = useRef({ onChange, onSave });
  callbacks.current = { onChange, onSave };

  // One editor per file: a new path is a new document (and its own undo history).
  // biome-ignore lint/correctness/useExhaustiveDependencies: value is the document at open time; later values come from the editor
  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          keymap.of([
            indentWithTab,
            {
              key: "Mod-s",
              preventDefault: true,
              run: () => {
                callbacks.current.onSave();
                return true;
              },
            },
          ]),
          language.current.of([]),
          // Wrapped lines and no inner scroll box: the page scrolls, so nothing is a scrollable
          // region a keyboard cannot reach (axe: scrollable-region-focusable).
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ "aria-label": label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) callbacks.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    let live = true;
    void languageFor(path).then((lang) => {
      if (live) v.dispatch({ effects: language.current.reconfigure(lang) });
    });
    return () => {
      live = false;
      v.destroy();
      view.current = null;
    };
  }, [path]);

  // The file was reloaded from the server (not typed here): replace the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div ref={host} className="code-editor" data-path={path} />;
}
