// Keeps the layers honest; the layers and why are in README.md, section "Architecture".
// backend: routes → services → ports ← adapters, wired only in composition/ (and main.ts, tools/).
// frontend: features never reach into each other; components/ and lib/ never into features/.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "only-composition-builds-adapters",
      comment: "Everything but composition/, main.ts and tools/ depends on ports; adapters are built in composition/.",
      severity: "error",
      from: { path: "^backend/src/(modules|reconciler|deployer|ports|edge|http|shared|config|app\\.ts)" },
      to: { path: "^backend/src/adapters/" },
    },
    {
      name: "adapters-never-import-routes",
      comment: "Adapters implement ports; they know nothing of HTTP routes, services or the wiring.",
      severity: "error",
      from: { path: "^backend/src/adapters/" },
      to: { path: "^backend/src/(modules|http|reconciler|deployer|edge|composition|app\\.ts|main\\.ts)" },
    },
    {
      name: "modules-stay-apart",
      comment: "A module reaches another only through ports/ or shared/.",
      severity: "error",
      from: { path: "^backend/src/modules/([^/]+)/" },
      to: { path: "^backend/src/modules/", pathNot: "^backend/src/modules/$1/" },
    },
    {
      name: "http-knows-no-modules",
      comment: "http/ is the transport toolbox (errors, auth hooks, SSE); modules use it, not the reverse.",
      severity: "error",
      from: { path: "^backend/src/http/" },
      to: { path: "^backend/src/modules/" },
    },
    {
      name: "ports-are-pure",
      comment: "Ports are interfaces in domain types: no Prisma, dockerode or Fastify types cross them.",
      severity: "error",
      from: { path: "^backend/src/ports/" },
      to: { path: "(node_modules/(dockerode|@prisma|fastify)|^backend/src/(generated|modules|adapters|http)/)" },
    },
    {
      name: "only-persistence-touches-prisma",
      severity: "error",
      from: { path: "^backend/src/", pathNot: "^backend/src/(adapters/persistence|generated)/" },
      to: { path: "(^backend/src/generated/|node_modules/(@prisma/|prisma/|pg/))" },
    },
    {
      name: "only-docker-adapter-touches-dockerode",
      severity: "error",
      from: { path: "^backend/src/", pathNot: "^backend/src/adapters/docker/" },
      to: { path: "node_modules/(dockerode|docker-modem|tar-fs)/" },
    },
    {
      name: "features-stay-apart",
      comment: "A console feature does not import another feature (bulletproof-react).",
      severity: "error",
      from: { path: "^frontend/src/features/([^/]+)/" },
      to: { path: "^frontend/src/features/", pathNot: "^frontend/src/features/$1/" },
    },
    {
      name: "shared-ui-knows-no-features",
      comment: "components/ and lib/ are shared by features; they never import one.",
      severity: "error",
      from: { path: "^frontend/src/(components|lib|api)/" },
      to: { path: "^frontend/src/features/" },
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
    exclude: { path: "(^backend/src/generated/|\\.test\\.tsx?$|/testing/)" },
    tsConfig: { fileName: "tsconfig.base.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
