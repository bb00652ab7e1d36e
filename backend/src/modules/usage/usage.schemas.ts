import { z } from "zod";
import { SERVICE_KINDS } from "../../ports/templates.port.js";

const HostUsage = z
  .object({
    hostname: z.string(),
    kind: z.enum(SERVICE_KINDS),
    requests: z.number().int().describe("Requests the edge answered for this host since `since`"),
    bytesSent: z.number().int().describe("Bytes sent to clients for this host, headers included"),
    lastActivityAt: z.iso.datetime().nullable().describe("The latest request; null before one"),
  })
  .meta({ id: "HostUsage" });

const ContainerUsage = z
  .object({
    kind: z.enum(SERVICE_KINDS),
    running: z.boolean(),
    cpuPercent: z.number().nullable().describe("Percent of one CPU (200 = two busy); null when not running"),
    memoryBytes: z.number().int().nullable().describe("Memory in use without reclaimable cache; null when not running"),
    memoryLimitBytes: z.number().int().nullable().describe("The container's memory limit; null when not running"),
  })
  .meta({ id: "ContainerUsage" });

export const ProjectUsage = z
  .object({
    since: z.iso
      .datetime()
      .describe(
        "When the answering control-plane process started counting: traffic figures are that process's since then (each replica counts its own share)",
      ),
    sampledAt: z.iso.datetime(),
    hosts: z.array(HostUsage),
    containers: z.array(ContainerUsage),
  })
  .meta({ id: "ProjectUsage" });
