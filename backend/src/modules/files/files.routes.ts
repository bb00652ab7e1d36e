import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import { DomainError } from "../../shared/errors.js";
import { ErrorBody, errorResponses, ProjectIdParams as ProjectParams } from "../../shared/schemas.js";
import {
  ArchiveBytes,
  DeleteQuery,
  FileBytes,
  FileEntry,
  FileTree,
  MkdirBody,
  MoveBody,
  PathQuery,
  TreeQuery,
  UploadQuery,
  UploadResult,
  WrittenFile,
} from "./files.schemas.js";
import type { FilesService } from "./files.service.js";

const errors = { ...errorResponses, 403: ErrorBody, 409: ErrorBody, 413: ErrorBody, 503: ErrorBody };
const quoted = (etag: string) => `"${etag}"`;
/** A header's ETag without quotes or the weak prefix; "*" stays "*". */
const unquote = (h: string | undefined) =>
  h
    ?.trim()
    .replace(/^W\//, "")
    .replace(/^"(.*)"$/, "$1") || undefined;

export const filesRoutes: FastifyPluginAsyncZod<{ files: FilesService }> = async (app, { files }) => {
  const read = app.requireAuth("projects:read");
  const write = app.requireAuth("projects:write");
  const { maxFileBytes, maxUploadBytes } = files.limits;

  /** A declared length over the limit is refused before the body is read, with the limit named. */
  const limitBody =
    (limit: number, what: string, variable: string) =>
    async (req: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
      const length = Number(req.headers["content-length"] ?? 0);
      if (length > limit) {
        throw new DomainError(
          "payload_too_large",
          "FILE_TOO_LARGE",
          `${what} is ${length} bytes; the limit is ${limit} bytes (${variable})`,
          { size: length, limit },
        );
      }
      return payload;
    };
  const bodyOf = (req: FastifyRequest) => (Buffer.isBuffer(req.body) ? req.body : Buffer.from(String(req.body ?? "")));
  const raw = (reply: FastifyReply) => reply as unknown as { send(payload: unknown): FastifyReply };

  app.get(
    "/projects/:id/files",
    {
      onRequest: read,
      schema: {
        operationId: "listProjectFiles",
        tags: ["files"],
        summary:
          "The project's files and folders below `path`, to `depth` levels (node_modules and .git only with all)",
        security: SECURED,
        params: ProjectParams,
        querystring: TreeQuery,
        response: { 200: FileTree, ...errors },
      },
    },
    async (req) => files.tree(principalOf(req), req.params.id, req.query),
  );

  app.get(
    "/projects/:id/files/content",
    {
      onRequest: read,
      schema: {
        operationId: "readProjectFile",
        tags: ["files"],
        summary: "A file's bytes with its ETag (text inline, binary as a download)",
        security: SECURED,
        params: ProjectParams,
        querystring: PathQuery,
        response: { 200: FileBytes, 304: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      const f = await files.read(principalOf(req), req.params.id, req.query.path);
      reply
        .header("etag", quoted(f.etag))
        .header("cache-control", "no-cache")
        .header("last-modified", new Date(f.modified).toUTCString());
      if (unquote(req.headers["if-none-match"]) === f.etag) return reply.status(304).send(null);
      const name = req.query.path.split("/").pop() ?? "file";
      if (f.binary) {
        reply
          .type("application/octet-stream")
          .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      } else {
        reply.type("text/plain; charset=utf-8");
      }
      return raw(reply).send(f.content);
    },
  );

  app.delete(
    "/projects/:id/files/content",
    {
      onRequest: write,
      schema: {
        operationId: "deleteProjectFile",
        tags: ["files"],
        summary: "Delete a file, or a folder with recursive=true",
        security: SECURED,
        params: ProjectParams,
        querystring: DeleteQuery,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await files.remove(principalOf(req), req.params.id, req.query.path, { recursive: req.query.recursive });
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/projects/:id/files/move",
    {
      onRequest: write,
      schema: {
        operationId: "moveProjectFile",
        tags: ["files"],
        summary: "Rename or move a file or folder (never over an existing one)",
        security: SECURED,
        params: ProjectParams,
        body: MoveBody,
        response: { 200: MoveBody, ...errors },
      },
    },
    async (req) => {
      await files.move(principalOf(req), req.params.id, req.body.from, req.body.to);
      return req.body;
    },
  );

  app.post(
    "/projects/:id/files/mkdir",
    {
      onRequest: write,
      schema: {
        operationId: "makeProjectFolder",
        tags: ["files"],
        summary: "Make a folder (and its parents)",
        security: SECURED,
        params: ProjectParams,
        body: MkdirBody,
        response: { 201: FileEntry, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await files.mkdir(principalOf(req), req.params.id, req.body.path)),
  );

  app.get(
    "/projects/:id/files/archive",
    {
      onRequest: read,
      schema: {
        operationId: "downloadProjectArchive",
        tags: ["files"],
        summary: "The project's files as .tar.gz (without node_modules and .git)",
        security: SECURED,
        params: ProjectParams,
        response: { 200: ArchiveBytes, ...errors },
      },
    },
    async (req, reply) => {
      const aborter = new AbortController();
      req.raw.on("close", () => aborter.abort());
      const a = await files.archive(principalOf(req), req.params.id, aborter.signal);
      reply.type("application/gzip").header("content-disposition", `attachment; filename="${a.name}"`);
      return raw(reply).send(a.stream);
    },
  );

  // Bodies that are files or archives: bytes, whatever their type says (a .json file sent as
  // application/json included), so only these two routes live in a scope without the parsers.
  const byteRoutes: FastifyPluginAsyncZod = async (bytes) => {
    bytes.removeAllContentTypeParsers();
    bytes.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
    bytes.put(
      "/projects/:id/files/content",
      {
        onRequest: write,
        preParsing: limitBody(maxFileBytes, "The file", "FILES_MAX_FILE_BYTES"),
        bodyLimit: maxFileBytes,
        schema: {
          operationId: "writeProjectFile",
          tags: ["files"],
          summary: "Create or replace a file with the request body; If-Match refuses a lost update (412)",
          description:
            'Send the bytes as the body (any content type). `If-Match: "<etag>"` writes only over that version, ' +
            "`If-None-Match: *` only creates. Missing folders are made. 201 when created, 200 when replaced.",
          security: SECURED,
          params: ProjectParams,
          querystring: PathQuery,
          response: { 200: WrittenFile, 201: WrittenFile, 412: ErrorBody, ...errors },
        },
      },
      async (req, reply) => {
        const ifMatch = unquote(req.headers["if-match"]);
        const ifNoneMatch = unquote(req.headers["if-none-match"]) === "*" ? ("*" as const) : undefined;
        const w = await files.write(principalOf(req), req.params.id, req.query.path, bodyOf(req), {
          ...(ifMatch ? { ifMatch } : {}),
          ...(ifNoneMatch ? { ifNoneMatch } : {}),
        });
        return reply
          .status(w.created ? 201 : 200)
          .header("etag", quoted(w.etag))
          .send(w);
      },
    );

    bytes.post(
      "/projects/:id/files/archive",
      {
        onRequest: write,
        preParsing: limitBody(maxUploadBytes, "The archive", "FILES_MAX_UPLOAD_BYTES"),
        bodyLimit: maxUploadBytes,
        schema: {
          operationId: "uploadProjectArchive",
          tags: ["files"],
          summary: "Unpack a .tar.gz (or .tar) into the project; one bad entry writes nothing",
          description:
            "Send the archive as the body (application/gzip). Files and folders only; paths stay inside the project; " +
            "entries under node_modules or .git are skipped and listed.",
          security: SECURED,
          params: ProjectParams,
          querystring: UploadQuery,
          response: { 200: UploadResult, ...errors },
        },
      },
      async (req) => files.upload(principalOf(req), req.params.id, bodyOf(req), { into: req.query.path }),
    );
  };
  await app.register(byteRoutes);
};
