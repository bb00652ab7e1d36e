// Keeps the layers honest: controllers → services → ports ← adapters (see ../shared/DESIGN.md).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "modules-never-import-adapters",
      comment: "Routes and services depend on ports; only main.ts constructs adapters.",
      severity: "error",
      from: { path: "^backend/src/(modules|reconciler|ports)/" },
      to: { path: "^backend/src/adapters/" },
    },
    {
      name: "adapters-never-import-routes",
      comment: "Adapters implement ports; they know nothing of HTTP routes or services.",
      severity: "error",
      from: { path: "^backend/src/adapters/" },
      to: { path: "^backend/src/(modules|http|app\\.ts)" },
    },
    {
      name: "ports-are-pure",
      comment: "Ports are interfaces in domain types: no Prisma, dockerode or Fastify types cross them.",
      severity: "error",
      from: { path: "^backend/src/ports/" },
      to: { path: "(node_modules/(dockerode|@prisma|fastify)|^backend/src/generated/)" },
    },
    {
      name: "only-persistence-touches-prisma",
      severity: "error",
      from: { path: "^backend/src/", pathNot: "^backend/src/(adapters/persistence|generated)/" },
      to: { path: "(^backend/src/generated/|node_modules/@prisma/)" },
    },
    {
      name: "only-main-builds-adapters",
      comment: "app.ts receives its adapters; it must not construct them.",
      severity: "error",
      from: { path: "^backend/src/app\\.ts$" },
      to: { path: "^backend/src/adapters/" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^backend/src/generated/|\\.test\\.ts$)" },
    tsConfig: { fileName: "tsconfig.base.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
