// How often the metrics tests' race rig (packages/cli/test/metrics-helpers/race-rig.ts) lands a
// test request in the backend's late-close window: the per-cycle hit probability p that the
// false-failure bounds of metrics-prometheus.int.test.ts and metrics-verify-logs.int.test.ts assume
// to be at least 0.5. Prints one line per round with the load average.
//
//   npx tsx bench/metrics-race-window/run.ts [--rounds 3] [--cycles 40]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startRig } from '../../packages/cli/test/metrics-helpers/race-rig.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, cycles: { type: 'string', default: '40' } },
});
const rounds = Number(values.rounds);
const cycles = Number(values.cycles);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

for (const proxy of ['haproxy', 'nginx'] as const) {
  const rig = await startRig(proxy, false);
  try {
    for (let round = 0; round < rounds; round++) {
      const fresh = await rig.drive('/race', cycles);
      const hits = fresh.statuses.filter((s, i) => i % 2 === 1 && s === 502).length;
      let line = `${proxy} round ${round}: new client connection: ${hits}/${cycles} test requests got 502`;
      if (proxy === 'haproxy') {
        const reused = await rig.driveReused('/race', cycles);
        const dropped = reused.statuses.filter((s, i) => i % 2 === 1 && s === null).length;
        line += `; reused client connection: ${dropped}/${cycles} got no response`;
      }
      console.log(`${line}; load average ${load()}`);
    }
  } finally {
    await rig.stop();
  }
}
