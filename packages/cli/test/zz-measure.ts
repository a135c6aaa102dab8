import { loadavg } from 'node:os';
import { startRig } from './metrics-helpers/race-rig.js';
for (const proxy of ['haproxy', 'nginx'] as const) {
  const rig = await startRig(proxy, false);
  try {
    for (let round = 0; round < 3; round++) {
      const d = await rig.drive('/race', 40);
      const hits = d.statuses.filter((s, i) => i % 2 === 1 && s === 502).length;
      const r = proxy === 'haproxy' ? await rig.driveReused('/race', 40) : null;
      const drops = r ? r.statuses.filter((s, i) => i % 2 === 1 && s === null).length : null;
      console.log(`${proxy} round ${round}: new-connection 502 ${hits}/40${r ? `, reused-connection no-response ${drops}/40` : ''}; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    }
  } finally {
    await rig.stop();
  }
}
