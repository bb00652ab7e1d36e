// `pnpm bench`: every benchmark, each against its baseline measured in the same run.
// Needs a build (`pnpm build`) and, for the container benchmarks, a Docker engine.
import { benchDeploy } from "./deploy.bench.mjs";
import { benchEdge, benchTraefikProvider } from "./edge.bench.mjs";
import { benchEvents } from "./events.bench.mjs";
import { benchFiles } from "./files.bench.mjs";
import { benchHealthz } from "./healthz.bench.mjs";
import { benchLifecycle } from "./lifecycle.bench.mjs";
import { benchScale } from "./scale.bench.mjs";
import { benchWake } from "./wake.bench.mjs";

const only = process.argv[2];
const benches = {
  healthz: benchHealthz,
  events: benchEvents,
  edge: async () => {
    await benchEdge();
    await benchTraefikProvider();
  },
  lifecycle: benchLifecycle,
  files: benchFiles,
  deploy: benchDeploy,
  wake: benchWake,
  scale: benchScale,
};
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  console.log(`\n## ${name}`);
  await run();
}
