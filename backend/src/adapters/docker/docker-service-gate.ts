// The install's service gate container (see service-gate-script.ts): one per install, labelled
// devsanctum.kind=gate, on Docker's default bridge with one port published on 127.0.0.1, and
// joined to every project network by the reconciler (it is in the converger's attach list). It
// holds no project's files and no credential but its own secret; limited, unprivileged, with a
// read-only root. Restarted by Docker after an engine restart, replaced when its config moves.
import { createHash } from "node:crypto";
import type Docker from "dockerode";
import type { Labels } from "../../ports/container-runtime.port.js";
import { labelFilter, statusOf, tolerate } from "./docker-calls.js";
import { SERVICE_GATE_SCRIPT } from "./service-gate-script.js";

const GATE_PORT = 7070;

export interface ServiceGateOptions {
  installId: string;
  image: string;
  secret: string;
  extraLabels?: Labels;
}

export function dockerServiceGate(docker: Docker, opts: ServiceGateOptions) {
  const name = `ds-${opts.installId}-gate`;
  const fingerprint = createHash("sha256")
    .update(`${opts.image}\n${opts.secret}\n${SERVICE_GATE_SCRIPT}`)
    .digest("hex")
    .slice(0, 16);
  const selector = { "devsanctum.install": opts.installId, "devsanctum.kind": "gate" };
  const labels: Labels = { ...opts.extraLabels, ...selector, "devsanctum.config": fingerprint };
  // Container names of this install only: the gate relays to nothing else.
  const hostPattern = `^ds-${opts.installId.replace(/[^a-z0-9-]/g, "")}-[a-z0-9][a-z0-9_.-]*$`;

  async function create() {
    try {
      return await docker.createContainer({
        name,
        Image: opts.image,
        Cmd: ["node", "-e", SERVICE_GATE_SCRIPT],
        Env: [`GATE_SECRET=${opts.secret}`, `GATE_HOST_PATTERN=${hostPattern}`, `GATE_PORT=${GATE_PORT}`],
        Labels: labels,
        User: "node",
        ExposedPorts: { [`${GATE_PORT}/tcp`]: {} },
        HostConfig: {
          Init: true,
          Memory: 128 * 1024 * 1024,
          MemorySwap: 128 * 1024 * 1024,
          NanoCpus: 1e9,
          PidsLimit: 64,
          Privileged: false,
          ReadonlyRootfs: true,
          SecurityOpt: ["no-new-privileges"],
          CapDrop: ["ALL"],
          PortBindings: { [`${GATE_PORT}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: "" }] },
          NetworkMode: "bridge",
          RestartPolicy: { Name: "unless-stopped" },
        },
      });
    } catch (err) {
      // Made by another replica of this install a moment ago: use it.
      if (statusOf(err) !== 409) throw err;
      return docker.getContainer(name);
    }
  }

  return {
    name,
    /** Makes sure the gate runs with this configuration; its port on 127.0.0.1. */
    async ensure(): Promise<number> {
      const found = await docker.listContainers({ all: true, filters: { label: labelFilter(selector) } });
      for (const c of found) {
        const current = c.Labels["devsanctum.config"] === fingerprint && !["removing", "dead"].includes(c.State);
        if (!current) await tolerate(() => docker.getContainer(c.Id).remove({ force: true }), 404, 409);
      }
      const existing = found.find((c) => c.Labels["devsanctum.config"] === fingerprint && c.State !== "removing");
      const container = existing ? docker.getContainer(existing.Id) : await create();
      if (!existing) {
        // A new gate joins every project network of the install at once (passes join it too).
        const networks = await docker.listNetworks({ filters: { label: [`devsanctum.install=${opts.installId}`] } });
        for (const n of networks) {
          await docker
            .getNetwork(n.Name)
            .connect({ Container: name })
            .catch(() => {});
        }
      }
      let info = await container.inspect();
      if (!info.State.Running) {
        await tolerate(() => container.start(), 304);
        info = await container.inspect();
      }
      const binding = (info.NetworkSettings.Ports?.[`${GATE_PORT}/tcp`] ?? []).find((b) => b.HostIp === "127.0.0.1");
      if (!info.State.Running || !binding?.HostPort) {
        throw new Error(`the service gate ${name} did not start (${info.State.Status}, exit ${info.State.ExitCode})`);
      }
      return Number(binding.HostPort);
    },
  };
}
