// A person's first session in the console, in Debian's Chromium against the real backend,
// PostgreSQL and Docker engine: sign in with the printed link, create a project from the
// built-in vite-react template, see its page inside the preview frame (served by the builtin
// edge on *.localhost), watch its log, stop and start it, delete it. A screenshot of every
// step lands in test-artifacts/e2e/.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Backend,
  dockerResources,
  printLogOnFailure,
  startBackend,
  startFakeModel,
  testRun,
} from "./backend-process";

const ARTIFACTS = path.resolve(import.meta.dirname, "../../test-artifacts/e2e");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let backend: Backend;
let browser: Browser;
let page: Page;
let projectUrl = "";
let fakeModel: ReturnType<typeof startFakeModel>;
const MODEL_KEY = "sk-e2e-fake-key-4321";
const projectName = `E2E Demo ${Date.now().toString(36)}`;

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const axeFindings: string[] = [];

// Every screenshot is also an accessibility check (axe-core, WCAG 2 A/AA rules; the preview
// frame is the project's own page and is left out). Anything above "minor" fails the run.
async function shot(name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<AxeResult> } }).axe;
    type AxeResult = { violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] };
    const r = await axe.run(
      { exclude: [["iframe.preview-frame"]] },
      { runOnly: ["wcag2a", "wcag2aa", "best-practice"], iframes: false },
    );
    return r.violations.map((v) => ({ ...v, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
  for (const v of found) {
    const line = `${name}: [${v.impact}] ${v.id} — ${v.help} — ${v.nodes.slice(0, 3).join(", ")}`;
    console.log(line);
    if (v.impact !== "minor") axeFindings.push(line);
  }
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A fake model for the agent, on every project's network (as PROJECT_NETWORK_ATTACH does in compose).
  fakeModel = startFakeModel(testRun(), MODEL_KEY);
  backend = await startBackend({ run: testRun(), env: { PROJECT_NETWORK_ATTACH: fakeModel.name } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // playwright gives every context a fresh profile: no cookies from earlier runs.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

// What the browser showed when a step failed, next to the step screenshots.
beforeEach((ctx) => {
  ctx.onTestFailed(async () => {
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
    await page?.screenshot({ path: path.join(ARTIFACTS, `FAILED-${name}.png`), fullPage: true }).catch(() => {});
  });
});

afterEach((ctx) => printLogOnFailure(backend, ctx));

afterAll(async () => {
  await browser?.close();
  await backend?.stop();
});

describe("the console in a real browser", () => {
  it("sends a visitor to sign-in and signs the owner in with the printed link", async () => {
    await page.goto(`${backend.url}/projects`);
    await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
    await page.getByText("No sign-in provider is configured yet.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/signin");
    await shot("01-signin");

    await page.goto(backend.signInLink);
    await page.getByRole("heading", { name: "Projects", exact: true }).waitFor();
    await page.getByRole("link", { name: "Create your first project" }).waitFor();
    await shot("02-projects-empty");
  });

  it("creates a project from vite-react and follows its operation until it runs", async () => {
    await page.getByRole("link", { name: "Create your first project" }).click();
    await page.getByRole("radio", { name: /Vite \+ React/ }).check();
    await page.getByLabel("Name").fill(projectName);
    await page.getByText(/Address:/).waitFor();
    await shot("03-create");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("heading", { name: /Creating/ }).waitFor();
    await shot("04-create-progress");
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/, { timeout: 120_000 });
    projectUrl = page.url();
    await page.getByRole("heading", { name: projectName }).waitFor();
  });

  it("shows the template's page inside the preview frame, through the edge on its own host", async () => {
    const frame = page.getByTitle(`Preview of ${projectName}`);
    await frame.waitFor({ timeout: 60_000 });
    const src = await frame.getAttribute("src");
    expect(src).toMatch(new RegExp(`^http://[a-z0-9-]+--preview\\.localhost:${backend.edgePort}`));
    const inside = page.frameLocator("iframe.preview-frame");
    await inside.getByRole("heading", { name: /Hello from/ }).waitFor({ timeout: 60_000 });
    await page.getByText("Running", { exact: true }).first().waitFor();
    await shot("05-project-preview");
  });

  it("edits a file in the Files tab, saves it, and the preview hot-updates", async () => {
    const heading = `Hello from the console ${Date.now().toString(36)}`;
    await page.getByRole("link", { name: "Files", exact: true }).click();
    const tree = page.getByRole("tree", { name: "Project files" });
    await tree.waitFor();
    // By keyboard: into src/, down to App.tsx, open it.
    const src = tree.getByRole("treeitem", { name: "src", exact: false }).first();
    await src.focus();
    await page.keyboard.press("ArrowRight");
    await tree.getByRole("treeitem", { name: /App\.tsx/ }).click();
    const editor = page.getByRole("textbox", { name: "Contents of src/App.tsx" });
    await editor.waitFor();
    await expect.poll(async () => (await editor.textContent()) ?? "").toContain("Hello from");
    await shot("05a-files-editor");
    const before = (await editor.textContent()) ?? "";
    expect(before).toContain("<h1>");
    // Replace the greeting inside the heading: select the document, type the new one.
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(
      `export function App() {\n  return (\n    <main>\n      <h1>${heading}</h1>\n    </main>\n  );\n}\n`,
    );
    await page.getByText("unsaved changes").waitFor();
    await page.keyboard.press("Control+S");
    await page.getByText("unsaved changes").waitFor({ state: "hidden" });
    await page
      .frameLocator("iframe.preview-frame")
      .getByRole("heading", { name: heading })
      .waitFor({ timeout: 30_000 });
    await shot("05b-files-saved-preview");
  });

  it("commits the edit in the History tab and shows its diff", async () => {
    await page.getByRole("link", { name: "History", exact: true }).click();
    const commits = page.getByRole("navigation", { name: "Commits" });
    await commits.getByRole("button", { name: /Create the project from the Vite \+ React template/ }).waitFor();
    await page.getByRole("region", { name: "Changes to src/App.tsx" }).waitFor();
    await page.getByLabel("Commit message").fill("Change the heading");
    await page.getByRole("button", { name: "Commit", exact: true }).click();
    await commits.getByRole("button", { name: /Change the heading/ }).click();
    await page.getByRole("radio", { name: "Split" }).check();
    await page.getByRole("region", { name: "Changes to src/App.tsx" }).waitFor();
    await shot("05c-history-diff");
    await page.getByRole("link", { name: "Overview", exact: true }).click();
  });

  it("streams the preview's log", async () => {
    const log = page.getByRole("log");
    await log.scrollIntoViewIfNeeded();
    await expect.poll(async () => (await log.textContent()) ?? "", { timeout: 30_000 }).toMatch(/VITE|ready|Local/i);
    await page.getByText("Streaming").waitFor();
    await shot("06-logs");
  });

  it("stops and starts the project", async () => {
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Stopped" }).waitFor({ timeout: 60_000 });
    await page.getByText("The preview appears here when the project runs.").waitFor();
    await shot("07-stopped");

    // The edge's stopped page links here with ?action=start.
    await page.goto(`${projectUrl}?action=start`);
    const offer = page.getByRole("region", { name: "Start the project" });
    await offer.getByRole("button", { name: `Start ${projectName}` }).click();
    await page.getByRole("status").filter({ hasText: "Running" }).waitFor({ timeout: 120_000 });
    await page
      .frameLocator("iframe.preview-frame")
      .getByRole("heading", { name: /Hello from/ })
      .waitFor({ timeout: 60_000 });
    await shot("08-started-again");
  });

  it("configures the agent, then a chat prompt changes the site in the preview", async () => {
    await page.getByRole("link", { name: "Agent", exact: true }).click();
    await page.getByRole("heading", { name: "Agent settings" }).waitFor();
    await page.getByLabel("API base URL").fill(fakeModel.baseUrl);
    await page.getByRole("textbox", { name: "Model" }).fill("fake-model");
    await page.getByLabel("API key").fill(MODEL_KEY);
    await shot("16-agent-settings");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(/^Saved\./).waitFor();
    expect(await page.getByLabel("API key").inputValue()).toBe("");

    // The agent restarts with the model; its panel sits beside the preview.
    await page.goto(projectUrl);
    const panel = page.getByRole("region", { name: "Agent" });
    await panel.getByRole("button", { name: "New session" }).click({ timeout: 60_000 });
    const box = panel.getByRole("textbox", { name: "Message the agent" });
    await box.fill("Hello from the chat");
    await panel.getByRole("button", { name: "Send" }).click();
    const log = panel.getByRole("log", { name: "Conversation with the agent" });
    await log.getByText("Wrote src/App.tsx").waitFor({ timeout: 60_000 });
    await page
      .frameLocator("iframe.preview-frame")
      .getByRole("heading", { name: "Hello from the chat" })
      .waitFor({ timeout: 30_000 });
    await panel.getByText("The agent is idle.").waitFor({ timeout: 30_000 });
    await shot("17-agent-chat");
  });

  it("runs a task on the board: drags a card, the agent's change passes QA, the diff is reviewed and approved", async () => {
    await page.goto(projectUrl);
    await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Tasks" }).click();
    const board = page.getByRole("region", { name: "Tasks" });
    const add = async (title: string, description: string) => {
      const form = page.getByRole("form", { name: "New task" });
      await form.getByLabel("Task title").fill(title);
      await form.getByLabel("What should the agent do?").fill(description);
      await form.getByRole("button", { name: "Add task" }).click();
      await board.getByRole("article", { name: new RegExp(`: ${title}$`) }).waitFor();
      // The form clears itself once the task is added: typing the next one before that is lost.
      await expect.poll(() => form.getByLabel("Task title").inputValue(), { timeout: 10_000 }).toBe("");
    };
    const script = '@fake {"write":{"path":"src/task-note.txt","content":"from a task\\n"},"text":"Wrote the note."}';
    await add("Write a note", `Add a note file.\n${script}`);
    await add("Later", "Something for later");
    const todo = board.getByRole("region", { name: /^To do/ });
    const order = () => todo.getByRole("article").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
    expect(await order()).toEqual(["Task #1: Write a note", "Task #2: Later"]);

    // Drag "Later" above "Write a note" with the mouse (dnd-kit's pointer sensor).
    const handle = todo.getByRole("button", { name: "Move task #2: Later" });
    const target = await todo.getByRole("article", { name: "Task #1: Write a note" }).boundingBox();
    const from = await handle.boundingBox();
    if (!target || !from) throw new Error("the cards are not on screen");
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2, from.y - 10, { steps: 5 });
    await page.mouse.move(target.x + target.width / 2, target.y + 4, { steps: 10 });
    await page.mouse.up();
    await expect.poll(order, { timeout: 10_000 }).toEqual(["Task #2: Later", "Task #1: Write a note"]);
    await shot("18-task-board");

    // Run: the agent writes the note in the task's worktree, the gates pass, the card reaches review.
    await board.getByRole("button", { name: "Run task #1" }).click();
    const review = board.getByRole("region", { name: /^In review/ });
    await review.getByRole("article", { name: "Task #1: Write a note" }).waitFor({ timeout: 150_000 });
    await review.getByRole("link", { name: "Write a note" }).click();
    const changes = page.getByRole("region", { name: "Changes" });
    await changes.getByText("src/task-note.txt").first().waitFor();
    await changes.getByText("from a task").first().waitFor();
    await shot("19-task-review");
    await page.getByRole("button", { name: "Approve and merge" }).click();
    await page.getByText("Done", { exact: true }).first().waitFor({ timeout: 30_000 });
    // Merged into the main tree as one commit, titled from the task and what the agent said.
    await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "History" }).click();
    await page.getByText("Task 1: Write a note").first().waitFor({ timeout: 20_000 });
  });

  it("deploys to the public host, with the build's log, and lists it in the Deployments tab", async () => {
    const panel = page.getByRole("region", { name: "Production" });
    await panel.getByText(/Not deployed yet/).waitFor();
    await panel.getByRole("button", { name: "Deploy", exact: true }).click();
    await panel.getByRole("log", { name: /Log of deployment #1/ }).waitFor();
    await shot("08a-deploying");
    const link = panel.getByRole("link", { name: new RegExp(`^http://[a-z0-9-]+\\.localhost:${backend.edgePort}$`) });
    await link.waitFor({ timeout: 120_000 });
    await shot("08b-deployed");
    // The public host: no sign-in, the built bundle (not the dev server).
    const visitor = await browser.newContext();
    const site = await visitor.newPage();
    await site.goto((await link.getAttribute("href")) ?? "");
    await site.getByRole("heading", { name: /Hello from/ }).waitFor({ timeout: 30_000 });
    expect(await site.content()).not.toContain("/@vite/client");
    await visitor.close();

    await page.getByRole("link", { name: "Deployments", exact: true }).click();
    await page.getByRole("table").getByRole("cell", { name: "Build", exact: true }).waitFor();
    await shot("08c-deployments");
    await page.getByRole("link", { name: "Overview", exact: true }).click();
  });

  it("creates an API token that is shown once and works with curl-style calls, then revokes it", async () => {
    await page.getByRole("link", { name: "API tokens" }).click();
    await page.getByLabel("Name", { exact: true }).fill("e2e-script");
    await page.getByRole("checkbox", { name: /projects:write/ }).check();
    await page.getByRole("button", { name: "Create token" }).click();
    const token = await page.getByLabel("New token").inputValue();
    expect(token).toMatch(/^dsk_/);
    await shot("11-token-created");
    const res = await fetch(`${backend.url}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);

    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: "Revoke e2e-script" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
    await page.getByText("No tokens yet.").waitFor();
    const after = await fetch(`${backend.url}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
  });

  it("shows templates (with the admin editor) and the account", async () => {
    await page.getByRole("link", { name: "Templates" }).click();
    await page.getByRole("heading", { name: "Vite + React" }).waitFor();
    await page.getByRole("button", { name: "Edit Vite + React" }).click();
    await page.getByLabel("Services (JSON)").waitFor();
    await shot("12-templates-edit");
    await page.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("link", { name: /^Account/ }).click();
    await page.getByRole("button", { name: "Sign out everywhere" }).waitFor();
    await shot("13-account");
  });

  it("fits a phone and follows a dark colour scheme", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${backend.url}/projects`);
    await page.getByRole("link", { name: projectName }).waitFor();
    await shot("14-phone-dark-projects");
    await page.goto(projectUrl);
    await page
      .frameLocator("iframe.preview-frame")
      .getByRole("heading", { name: /Hello from/ })
      .waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot("15-phone-dark-project");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("deletes the project after its name is typed, and its containers go away", async () => {
    // By keyboard: Escape closes the dialog and focus returns to its opener; the confirmation
    // field takes focus when it opens; Enter submits once the name matches.
    const opener = page.getByRole("button", { name: "Delete…" });
    await opener.click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
    await opener.press("Enter");
    const confirm = dialog.getByLabel(/to confirm/);
    await expect.poll(() => confirm.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type(projectName);
    await shot("09-delete-confirm");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/projects$/);
    await page.getByRole("link", { name: "Create your first project" }).waitFor({ timeout: 60_000 });
    await shot("10-deleted");
    // Everything of the project goes; the fake model and the install's service gate (not the
    // project's) stay until the end.
    await expect
      .poll(
        () => {
          const { containers, gates } = dockerResources(backend.run);
          return containers.filter((id) => !fakeModel.id.startsWith(id) && !gates.includes(id)).length;
        },
        {
          timeout: 60_000,
        },
      )
      .toBe(0);
  });

  it("passes the accessibility checks on every page it showed", () => {
    expect(axeFindings).toEqual([]);
  });

  it("signs out", async () => {
    await page.getByRole("link", { name: /^Account/ }).click();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
    await page.goto(`${backend.url}/tokens`);
    await page.waitForURL(/\/signin\?next=%2Ftokens$/);
  });
});
