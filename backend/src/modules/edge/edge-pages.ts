// Pages a person understands when the edge cannot hand a request to a project.
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

export interface EdgePage {
  status: number;
  title: string;
  message: string;
  action?: { label: string; href: string };
  /** Reload after this many seconds: for states that end by themselves (starting, stopped). */
  refreshS?: number;
  /** Progress of work under way (a wake), in order; each reload shows how far it got. */
  steps?: { label: string; done: boolean }[];
}

function renderSteps(steps: NonNullable<EdgePage["steps"]>): string {
  const done = steps.filter((s) => s.done).length;
  const items = steps
    .map((s) => `<li class="${s.done ? "done" : "todo"}">${s.done ? "✓" : "…"} ${escapeHtml(s.label)}</li>`)
    .join("");
  return `<progress max="${steps.length}" value="${done}" aria-label="progress">${done} of ${steps.length}</progress>
<ol class="steps">${items}</ol>`;
}

export function renderEdgePage(page: EdgePage): string {
  const action = page.action
    ? `<p><a class="button" href="${escapeHtml(page.action.href)}">${escapeHtml(page.action.label)}</a></p>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${page.refreshS ? `<meta http-equiv="refresh" content="${Math.round(page.refreshS)}">\n` : ""}<title>${escapeHtml(page.title)} · DevSanctum</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
  main { max-width: 32rem; padding: 2rem; text-align: center; }
  h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
  .code { opacity: .6; font-size: .875rem; }
  .button { display: inline-block; padding: .6rem 1.2rem; border-radius: .5rem; background: #4f46e5; color: #fff; text-decoration: none; }
  progress { width: 100%; }
  .steps { list-style: none; padding: 0; text-align: left; display: inline-block; }
  .steps .todo { opacity: .6; }
  .button:focus-visible { outline: 3px solid #a5b4fc; outline-offset: 2px; }
</style>
</head>
<body><main>
<p class="code">${page.status}</p>
<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.message)}</p>
${page.steps ? renderSteps(page.steps) : ""}
${action}
</main></body>
</html>
`;
}
