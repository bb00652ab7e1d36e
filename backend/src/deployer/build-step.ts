// The build of a deployment, in its own worker (its own lock, so a build that runs for minutes
// never holds up what the project's pass does meanwhile: stop production with the project,
// bring it back on start, roll back): run the build container, commit its filesystem as the
// artifact, and hand the deployment back to the pass to start and switch to.
import { appendSystem, preludeOf } from "../modules/deployments/deployment-log.js";
import type { DeploymentRecord } from "../ports/deployments.port.js";
import type { ProjectRecord } from "../ports/projects.port.js";
import type { ServiceSpec } from "../ports/templates.port.js";
import type { OperationProgress } from "../reconciler/operation-progress.js";
import { runBuild } from "./build-runner.js";
import { type DeployerWorkDeps, type DeploymentSteps, Stop } from "./deployment-steps.js";

/** The control plane stops during a build; the build itself goes on. */
class LeftRunning extends Error {}
/** A build that ended badly, with the log as far as it got. */
class BuildFailed extends Error {
  constructor(
    message: string,
    readonly log: DeploymentRecord["log"],
  ) {
    super(message);
  }
}

const mb = (n: number) => `${Math.round(n / 1e5) / 10} MB`;

export function buildStep(deps: DeployerWorkDeps, steps: DeploymentSteps, wakePass: (projectId: string) => void) {
  const { deployments, containers: c, signal } = deps;

  async function runIt(spec: ServiceSpec, d: DeploymentRecord, buildContainerId: string, progress: OperationProgress) {
    if (!spec.build) {
      await progress.skip(
        "build",
        "the template's production service has no build step: its files are served as they are",
      );
      return d.log;
    }
    const timeoutS = spec.build.timeoutS ?? deps.buildTimeoutS;
    // After a restart the build's output is read again from its first line, after the prelude.
    const resumed = d.buildStartedAt !== null;
    let log = resumed ? preludeOf(d.log) : d.log;
    if (!resumed) {
      const { memoryMb, cpus, pids } = spec.limits;
      const command = spec.build.command.join(" ");
      log = appendSystem(
        log,
        `build: ${command} (timeout ${timeoutS} s; ${memoryMb} MB, ${cpus} CPU, ${pids} processes)`,
      );
    }
    const startedAt = d.buildStartedAt ?? new Date(steps.now());
    await deployments.update(d.id, { buildStartedAt: startedAt, log });
    const r = await progress.run("build", async () => {
      const result = await runBuild({
        runtime: deps.runtime,
        containerId: buildContainerId,
        deadline: startedAt.getTime() + timeoutS * 1000,
        log,
        saveLog: async (l) => {
          await deployments.update(d.id, { log: l });
          deps.notify(d.projectId);
        },
        interrupted: () => steps.interruption(d),
        signal,
      });
      const o = result.outcome;
      if (o.kind === "shutdown") {
        throw new LeftRunning("the control plane stopped during the build; it picks the build up when it starts");
      }
      if (o.kind === "exited" && o.exitCode !== 0) {
        const why = o.oomKilled
          ? `the build ran out of memory (limit ${spec.limits.memoryMb} MB)`
          : `the build exited with code ${o.exitCode}`;
        throw new BuildFailed(why, result.log);
      }
      if (o.kind === "timeout") throw new BuildFailed(`the build did not finish within ${timeoutS} s`, result.log);
      if (o.kind === "vanished")
        throw new BuildFailed("the build container was removed before it finished", result.log);
      return result;
    });
    if (r.outcome.kind === "interrupted") {
      return steps.finish({ ...d, log: r.log }, progress, "cancelled", r.outcome.reason);
    }
    return r.log;
  }

  async function build(p: ProjectRecord, spec: ServiceSpec, d: DeploymentRecord, progress: OperationProgress) {
    const buildContainerId = d.buildContainerId;
    if (!buildContainerId) return steps.finish(d, progress, "failed", "the snapshot of the project's files is missing");
    let log: DeploymentRecord["log"];
    try {
      log = await runIt(spec, d, buildContainerId, progress);
    } catch (err) {
      if (err instanceof Stop) throw err;
      if (err instanceof LeftRunning) throw new Stop();
      const failedLog = err instanceof BuildFailed ? err.log : d.log;
      return steps.finish({ ...d, log: failedLog }, progress, "failed", (err as Error).message);
    }
    const artifact = await progress.run("artifact", () => c.commit(p, spec, d.number, buildContainerId));
    log = appendSystem(
      log,
      `artifact: image ${artifact.id.slice(7, 19)} (${mb(artifact.layerBytes)} over ${spec.image})`,
    );
    const moved = await deployments.update(
      d.id,
      {
        status: "starting",
        image: artifact.id,
        sizeBytes: artifact.layerBytes,
        buildFinishedAt: new Date(steps.now()),
        buildContainerId: null,
        log,
      },
      ["building"],
    );
    // No row refers to the build container any more: the pass's sweep removes it after the
    // switch, off the path to the new version.
    if (!moved) throw new Stop();
  }

  return {
    /** Builds the project's deployment in `building`, if there is one. */
    async run(projectId: string) {
      const d = (await deployments.list(projectId)).find((r) => r.status === "building");
      const p = d && (await deps.projects.get(projectId));
      if (!d || !p) return;
      const progress = await steps.progressOf(d);
      try {
        const spec = (await deps.projects.template(p.templateId))?.services.production;
        if (!spec) return await steps.finish(d, progress, "failed", "the project's template has no production service");
        await build(p, spec, d, progress);
      } catch (err) {
        if (!(err instanceof Stop)) throw err;
      } finally {
        deps.notify(projectId);
        if (!signal.aborted) wakePass(projectId);
      }
    },
  };
}

export type BuildStep = ReturnType<typeof buildStep>;
