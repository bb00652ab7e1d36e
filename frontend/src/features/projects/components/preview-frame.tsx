import { useState } from "react";

// The dev preview lives on its own hostname (never the console's origin), so its code cannot
// read the console's cookies or DOM.
export function PreviewFrame({ url, projectName }: { url: string; projectName: string }) {
  const [generation, setGeneration] = useState(0);
  return (
    <section className="panel preview" aria-labelledby="preview-title">
      <div className="panel-head">
        <h2 id="preview-title">Preview</h2>
        <code className="preview-url">{url}</code>
        <div className="toolbar">
          <button type="button" className="button button-small" onClick={() => setGeneration((g) => g + 1)}>
            Reload
          </button>
          <a className="button button-small" href={url} target="_blank" rel="noopener noreferrer">
            Open in new tab<span className="visually-hidden"> (opens a new tab)</span>
          </a>
        </div>
      </div>
      <iframe
        key={generation}
        className="preview-frame"
        src={url}
        title={`Preview of ${projectName}`}
        sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-modals allow-downloads"
      />
    </section>
  );
}
