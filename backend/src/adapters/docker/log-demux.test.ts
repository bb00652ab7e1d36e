import { describe, expect, it } from "vitest";
import { demuxLogLines } from "./log-demux.js";

const frame = (stream: 1 | 2, text: string) => {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

async function collect(chunks: Buffer[]) {
  const out = [];
  for await (const l of demuxLogLines(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(l);
  return out;
}

describe("Docker log demultiplexing", () => {
  it("splits stdout and stderr into lines with their timestamps", async () => {
    const lines = await collect([
      frame(1, "2026-12-01T10:00:00.123456789Z hello\n"),
      frame(2, "2026-12-01T10:00:01.5Z oops\r\n"),
    ]);
    expect(lines).toEqual([
      { stream: "stdout", line: "hello", ts: "2026-12-01T10:00:00.123456789Z" },
      { stream: "stderr", line: "oops", ts: "2026-12-01T10:00:01.5Z" },
    ]);
  });

  it("reassembles frames and lines cut across chunks, per stream", async () => {
    const all = Buffer.concat([frame(1, "par"), frame(2, "err line\n"), frame(1, "tial\nnext")]);
    const lines = await collect([all.subarray(0, 5), all.subarray(5, 17), all.subarray(17)]);
    expect(lines).toEqual([
      { stream: "stderr", line: "err line" },
      { stream: "stdout", line: "partial" },
      { stream: "stdout", line: "next" },
    ]);
  });
});
