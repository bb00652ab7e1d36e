import type { LogLine } from "../../ports/container-runtime.port.js";

// Docker multiplexes stdout and stderr of a container without a TTY into frames:
// [stream (1 = stdout, 2 = stderr), 0, 0, 0, size (uint32 BE)] then `size` bytes.
// With `timestamps`, every line starts with an RFC 3339 timestamp and a space.
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) /;

function toLine(stream: LogLine["stream"], raw: string): LogLine {
  const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  const m = TIMESTAMP.exec(text);
  return m?.[1] ? { stream, line: text.slice(m[0].length), ts: m[1] } : { stream, line: text };
}

export async function* demuxLogLines(source: AsyncIterable<Buffer>): AsyncGenerator<LogLine> {
  let pending: Buffer = Buffer.alloc(0);
  const partial = { stdout: "", stderr: "" };
  for await (const chunk of source) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const stream = pending[0] === 2 ? "stderr" : "stdout";
      const text = partial[stream] + pending.subarray(8, 8 + size).toString("utf8");
      pending = pending.subarray(8 + size);
      const lines = text.split("\n");
      partial[stream] = lines.pop() ?? "";
      for (const l of lines) yield toLine(stream, l);
    }
  }
  for (const stream of ["stdout", "stderr"] as const) if (partial[stream]) yield toLine(stream, partial[stream]);
}
