# The control plane image: backend (and the console, when frontend/ exists) built with pnpm,
# run on a slim Node image. docker-compose.yml builds it. It cannot be built on the project's
# CI machines (no image can be pulled there).

FROM node:20-bookworm-slim AS build
ENV PRISMA_SCHEMA_ENGINE_BINARY=/bin/false CHECKPOINT_DISABLE=1 CI=true
RUN npm install -g pnpm@10
WORKDIR /src
# Dependencies first, so source edits do not refetch them.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile \
 && pnpm -r run build \
 && pnpm --filter ./backend deploy --prod --legacy --ignore-scripts /out/backend \
 && cp -r prisma /out/prisma \
 && mkdir -p /out/frontend \
 && if [ -d frontend/dist ]; then cp -r frontend/dist /out/frontend/dist; fi

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Same layout as the repository: backend/dist finds ../prisma/migrations and ../frontend/dist.
COPY --from=build /out/ /app/
RUN mkdir -p /data && chown node:node /data
# The Docker socket is root-owned on most hosts; the compose file runs this as root for that
# reason. With a docker-socket-proxy (DOCKER_HOST=tcp://…) you can add `user: node`.
EXPOSE 3000
CMD ["node", "backend/dist/main.js"]
