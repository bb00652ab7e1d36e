import { describe, expect, it } from "vitest";
import { renderEdgePage } from "./edge-pages.js";

describe("edge pages", () => {
  it("reload by themselves while the project is on its way", () => {
    const html = renderEdgePage({ status: 503, title: "blog is starting", message: "soon", refreshS: 2 });
    expect(html).toContain('<meta http-equiv="refresh" content="2">');
  });

  it("show how far work under way got, with a progress bar", () => {
    const html = renderEdgePage({
      status: 503,
      title: "blog is waking up",
      message: "soon",
      steps: [
        { label: "Woken up", done: true },
        { label: "Its <server> started", done: false },
      ],
    });
    expect(html).toContain('<progress max="2" value="1"');
    expect(html).toContain('<li class="done">✓ Woken up</li>');
    expect(html).toContain('<li class="todo">… Its &lt;server&gt; started</li>');
  });

  it("stay put when nothing will change on its own", () => {
    const html = renderEdgePage({ status: 404, title: "No such project", message: "<b>x</b>" });
    expect(html).not.toContain("http-equiv");
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;");
  });
});
