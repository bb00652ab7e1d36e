import type { LoggerOptions } from "pino";

// Secrets never reach the log: headers that carry credentials and any body field that
// looks like one are censored.
const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-devsanctum-secret"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.token",
  "*.accessToken",
  "*.refreshToken",
  "*.clientSecret",
  "*.secret",
  // Model API keys (agent settings) and the environment that carries one into OpenCode.
  "*.apiKey",
  "*.DEVSANCTUM_MODEL_API_KEY",
  "*.OPENCODE_SERVER_PASSWORD",
];

export function loggerOptions(opts: { level: string; pretty: boolean }): LoggerOptions {
  return {
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    ...(opts.pretty
      ? { transport: { target: "pino-pretty", options: { translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } }
      : {}),
  };
}
