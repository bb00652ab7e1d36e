import { z } from "zod";
import { AGENT_PROVIDERS, PERMISSION_REPLIES, PROMPT_STATUSES, TOOL_STATUSES } from "../../ports/agent.port.js";

// Printable text only: control characters (other than newline and tab in prompts) are refused.
const PRINTABLE = /^[^\p{Cc}]*$/u;
const PROMPT_TEXT = /^[^\p{Cc}]*(?:[\n\t][^\p{Cc}]*)*$/u;

export const SettingsBody = z
  .object({
    provider: z.enum(AGENT_PROVIDERS),
    baseUrl: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
      .max(500)
      .optional()
      .describe("The provider's API base URL (required for openai-compatible), e.g. http://llm.internal:8000/v1"),
    model: z.string().trim().min(1, "must not be empty").max(200).regex(PRINTABLE, "no control characters"),
    apiKey: z
      .string()
      .min(1)
      .max(1000)
      .regex(/^[^\s\p{Cc}]+$/u, "no spaces or control characters")
      .optional()
      .describe("Omit to keep the stored key"),
  })
  .strict()
  .refine((s) => s.provider !== "openai-compatible" || s.baseUrl, {
    message: "baseUrl is required for openai-compatible",
    path: ["baseUrl"],
  });

export const Settings = z
  .object({
    provider: z.enum(AGENT_PROVIDERS),
    baseUrl: z.string().nullable(),
    model: z.string(),
    apiKey: z.literal("set").describe("Keys are never returned"),
    apiKeyLast4: z.string(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "AgentSettings" });

export const ProjectSettings = z
  .object({
    override: Settings.nullable().describe("This project's own settings"),
    effective: Settings.nullable().describe("What the project's agent uses: its override, else its owner's"),
    source: z.enum(["project", "user"]).nullable(),
  })
  .meta({ id: "ProjectAgentSettings" });

const SESSION_ID = z.string().regex(/^ses_[A-Za-z0-9]{1,64}$/, "an OpenCode session id (ses_…)");
const MESSAGE_ID = z.string().regex(/^msg_[A-Za-z0-9]{1,64}$/, "an OpenCode message id (msg_…)");
const PERMISSION_ID = z.string().regex(/^per_[A-Za-z0-9]{1,64}$/, "a permission request id (per_…)");

export const AgentParams = z.object({ id: z.uuid() });
export const SessionParams = z.object({ id: z.uuid(), sid: SESSION_ID });
export const PromptParams = z.object({ id: z.uuid(), pid: z.uuid() });
export const PermissionParams = z.object({ id: z.uuid(), pid: PERMISSION_ID });

export const Prompt = z
  .object({
    id: z.uuid(),
    sessionId: z.string().nullable(),
    text: z.string(),
    status: z.enum(PROMPT_STATUSES),
    error: z.string().nullable(),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "AgentPrompt" });

const Status = z.discriminatedUnion("type", [
  z.object({ type: z.literal("idle") }),
  z.object({ type: z.literal("busy") }),
  z.object({ type: z.literal("retry"), attempt: z.number(), message: z.string(), next: z.number() }),
]);

export const Session = z
  .object({
    id: z.string(),
    title: z.string(),
    directory: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    revertedFrom: z.string().nullable().describe("Set while the changes from this message on are undone"),
    status: Status,
    queue: z.array(Prompt).describe("Prompts waiting for this session, oldest first"),
  })
  .meta({ id: "AgentSession" });

const Part = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), id: z.string(), text: z.string() }),
  z.object({ type: z.literal("reasoning"), id: z.string(), text: z.string() }),
  z.object({
    type: z.literal("tool"),
    id: z.string(),
    callId: z.string(),
    tool: z.string().describe("write, edit, bash, read, …"),
    status: z.enum(TOOL_STATUSES),
    title: z.string().nullable(),
    input: z.record(z.string(), z.unknown()),
    output: z.string().nullable(),
    error: z.string().nullable(),
  }),
  z.object({
    type: z.literal("files"),
    id: z.string(),
    files: z.array(z.string()).describe("Files this step changed"),
  }),
]);

export const Message = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    role: z.enum(["user", "assistant"]),
    parentId: z.string().nullable(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    error: z.string().nullable(),
    parts: z.array(Part),
  })
  .meta({ id: "AgentMessage" });

export const Permission = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    permission: z.string().describe("e.g. external_directory, bash, edit"),
    patterns: z.array(z.string()),
    callId: z.string().nullable(),
    messageId: z.string().nullable(),
  })
  .meta({ id: "AgentPermission" });

export const PromptBody = z
  .object({ text: z.string().trim().min(1).max(20_000).regex(PROMPT_TEXT, "no control characters") })
  .strict();
export const RevertBody = z.object({ messageId: MESSAGE_ID }).strict();
export const ReplyBody = z.object({ reply: z.enum(PERMISSION_REPLIES) }).strict();
