import { join } from 'node:path';
import { runCli } from '../cli-helpers.js';
import { makeTempDir, NGINX_LOG_FORMAT, removeDir, sleep, startNginx } from '../diagnose-helpers/harness.js';
import { startFaultBackend } from './backend.js';
import { CLOSE_LAG_MS, KEEPALIVE_MS, SCENARIOS } from './scenarios.js';

/**
 * Prints `diagnose`'s human view for the corpus's race scenario on nginx (the example in
 * docs/diagnose.md): `npx tsx packages/cli/test/diagnose-corpus/example.ts` after `npm run build`.
 */
const dir = makeTempDir('kap-corpus-example-');
const backend = await startFaultBackend({
  keepAliveMs: KEEPALIVE_MS,
  closeLagMs: CLOSE_LAG_MS,
  logFile: join(dir, 'backend.jsonl'),
});
try {
  const nginx = await startNginx(dir, { upstreamPort: backend.port });
  try {
    await SCENARIOS.find((s) => s.id === 'race')!.drive({ port: nginx.port, backend, method: 'GET' });
    await sleep(150);
  } finally {
    await nginx.stop();
  }
  const result = await runCli(
    ['diagnose', 'access.log', 'error.log', '--nginx-log-format', NGINX_LOG_FORMAT],
    {
      cwd: dir,
    },
  );
  process.stdout.write(result.stdout);
} finally {
  await backend.close();
  removeDir(dir);
}
