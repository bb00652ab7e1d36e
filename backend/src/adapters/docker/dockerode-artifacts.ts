import path from "node:path";
import { type Readable, Transform } from "node:stream";
import type Docker from "dockerode";
import type { ContainerRuntime, ImageInfo } from "../../ports/container-runtime.port.js";
import { type Guard, labelFilter, statusOf, tolerate } from "./docker-calls.js";

// What production deployments need beyond running containers: a snapshot of a volume copied
// into a container through the archive API, a finished container committed as an image, and
// images listed and removed. Everything goes through the engine's API, so a remote engine works.

type Artifacts = Pick<
  ContainerRuntime,
  "copyVolumeIntoContainer" | "commitContainer" | "inspectImage" | "listImages" | "removeImage" | "waitContainer"
>;

/** A Dockerfile instruction value: JSON strings are valid Dockerfile strings. */
const quoted = (v: string) => JSON.stringify(v);

export function dockerodeArtifacts(docker: Docker, guard: Guard): Artifacts {
  const inspectImage = async (ref: string): Promise<ImageInfo | null> => {
    let image: Docker.ImageInspectInfo;
    try {
      image = await guard(() => docker.getImage(ref).inspect());
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
    // History lists layers newest first: the first one is what this image adds to its base.
    const history = (await guard(() => docker.getImage(image.Id).history())) as Array<{ Size?: number }>;
    return { id: image.Id, labels: image.Config?.Labels ?? {}, layerBytes: history[0]?.Size ?? 0 };
  };

  return {
    async copyVolumeIntoContainer({ volume, mountPath, container, image, labels }) {
      // A container that never starts holds the volume, read-only; the engine mounts it to
      // serve the archive. The tar streams from one container into the other. The helper is
      // made while the target is (a deploy's snapshot is on the path to its answer).
      const helper = await guard(() =>
        docker.createContainer({
          Image: image,
          Cmd: ["true"],
          Labels: labels,
          HostConfig: {
            Mounts: [{ Type: "volume", Source: volume, Target: mountPath, ReadOnly: true }],
            NetworkMode: "none",
          },
        }),
      );
      try {
        const target = await container;
        const tar = (await guard(() => helper.getArchive({ path: mountPath }))) as unknown as Readable;
        let bytes = 0;
        const counted = tar.pipe(
          new Transform({
            transform(chunk: Buffer, _enc, done) {
              bytes += chunk.length;
              done(null, chunk);
            },
          }),
        );
        // The archive's top entry is the folder itself, so it lands at its parent.
        await guard(() => docker.getContainer(target).putArchive(counted, { path: path.posix.dirname(mountPath) }));
        return { bytes };
      } finally {
        // Off the answer's path; labelled, so a removal a crash cut short is swept later.
        void tolerate(() => helper.remove({ force: true }), 404).catch(() => {});
      }
    },

    async commitContainer(id, { ref, labels, command, workdir }) {
      const at = ref.lastIndexOf(":");
      const changes = [
        ...Object.entries(labels).map(([k, v]) => `LABEL ${k}=${quoted(v)}`),
        ...(command ? [`CMD ${JSON.stringify(command)}`] : []),
        ...(workdir ? [`WORKDIR ${workdir}`] : []),
      ];
      const res = (await guard(() =>
        docker.getContainer(id).commit({ repo: ref.slice(0, at), tag: ref.slice(at + 1), changes, pause: false }),
      )) as { Id: string };
      const info = await inspectImage(res.Id);
      if (!info) throw new Error(`the engine committed ${ref} but does not show the image`);
      return info;
    },

    inspectImage,

    async listImages(labels) {
      const list = await guard(() => docker.listImages({ filters: { label: labelFilter(labels) } }));
      return list.map((i) => ({ id: i.Id, labels: i.Labels ?? {}, layerBytes: 0 }));
    },

    async removeImage(ref) {
      await tolerate(() => guard(() => docker.getImage(ref).remove({ force: false, noprune: false })), 404);
    },

    async waitContainer(id, signal) {
      const res = (await guard(() =>
        docker.getContainer(id).wait({ condition: "not-running", ...(signal ? { abortSignal: signal } : {}) }),
      )) as { StatusCode: number };
      return { exitCode: res.StatusCode };
    },
  };
}
