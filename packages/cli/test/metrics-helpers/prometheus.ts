import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monotonicMs } from '../../src/lab/clock.js';
import { spawnListening } from '../../src/lab/net-util.js';
import type { ProcessGroup } from '../../src/lab/processes.js';

/**
 * A real Prometheus (Debian's /usr/bin/prometheus) on a free 127.0.0.1 port with its data in `dir`,
 * scraping one target every second, started in `group` (so it is stopped by PID with the rest).
 * Resolves once the target has been scraped successfully (`up{job} == 1`), so no count falls before
 * the first sample.
 */
export async function startPrometheus(
  group: ProcessGroup,
  dir: string,
  job: string,
  targetPort: number,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: ${job}\n    static_configs:\n      - targets: ['127.0.0.1:${targetPort}']\n`,
  );
  const prom = await spawnListening(
    group,
    {
      name: 'prometheus',
      timeoutMs: 20_000,
      attempts: 3,
      stdoutFile: join(dir, 'prometheus.log'),
      stderrFile: join(dir, 'prometheus.log'),
    },
    (port) => ({
      command: '/usr/bin/prometheus',
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
      ],
    }),
  );
  const url = `http://127.0.0.1:${prom.port}`;
  const deadline = monotonicMs() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(`up{job="${job}"}`)}`);
      const doc = (await r.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      if (doc.data?.result?.[0]?.value[1] === '1') return url;
    } catch {
      // not ready yet
    }
    if (monotonicMs() > deadline) throw new Error(`Prometheus did not scrape ${job} within 20 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
