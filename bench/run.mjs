// `pnpm bench`: every benchmark, each against its baseline measured in the same run.
// Needs a build (`pnpm build`) and, for the container benchmarks, a Docker engine.
import { benchEdge } from "./edge.bench.mjs";
import { benchHealthz } from "./healthz.bench.mjs";
import { benchLifecycle } from "./lifecycle.bench.mjs";

const only = process.argv[2];
const benches = { healthz: benchHealthz, edge: benchEdge, lifecycle: benchLifecycle };
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  console.log(`\n## ${name}`);
  await run();
}
