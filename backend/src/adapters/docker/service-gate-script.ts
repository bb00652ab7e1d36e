// The service gate's program, run with `node -e` in the install's gate container (the node image
// every template builds on). A TCP relay, no HTTP parsing: a caller opens a connection, sends one
// line `DSGATE1 <secret> <host>:<port>\n`, and every byte after it goes to that project
// container on a network the gate shares with it (Docker's DNS resolves the container name).
// Anything else — a wrong secret, a host that is not one of this install's containers, a
// missing line within 5 s — is closed at once, before a byte reaches a project.
export const SERVICE_GATE_SCRIPT = String.raw`
const net = require("node:net");
const crypto = require("node:crypto");
const SECRET = crypto.createHash("sha256").update(process.env.GATE_SECRET || "").digest();
const HOST = new RegExp(process.env.GATE_HOST_PATTERN || "^$");
const PORT = Number(process.env.GATE_PORT || 7070);
const same = (given) => {
  const d = crypto.createHash("sha256").update(given).digest();
  return crypto.timingSafeEqual(d, SECRET);
};
const server = net.createServer((client) => {
  client.setNoDelay(true);
  let head = Buffer.alloc(0);
  const timer = setTimeout(() => client.destroy(), 5000);
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(10);
    if (nl === -1) {
      if (head.length > 512) client.destroy();
      return;
    }
    client.off("data", onData);
    client.pause();
    clearTimeout(timer);
    const [magic, secret, target] = head.subarray(0, nl).toString("latin1").trim().split(" ");
    const rest = head.subarray(nl + 1);
    const m = /^([a-z0-9][a-z0-9_.-]*):(\d{1,5})$/.exec(target || "");
    if (magic !== "DSGATE1" || !secret || !same(secret) || !m || !HOST.test(m[1])) return client.destroy();
    const upstream = net.connect(Number(m[2]), m[1]);
    upstream.setNoDelay(true);
    upstream.once("connect", () => {
      if (rest.length) upstream.write(rest);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on("error", end);
    client.on("error", end);
    upstream.on("close", end);
    client.on("close", end);
  };
  client.on("data", onData);
  client.on("error", () => client.destroy());
});
server.listen(PORT, "0.0.0.0");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;
