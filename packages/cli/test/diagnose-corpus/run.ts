import { join } from 'node:path';
import { PROXIES as LAB_PROXIES } from '../../src/lab/proxies.js';
import {
  APACHE_AS_NGINX_LOG_FORMAT,
  makeTempDir,
  NGINX_LOG_FORMAT,
  type ProxyInstance,
  type ProxyOptions,
  refusedPort,
  startApache,
  startCaddy,
  startHaproxy,
  startNginx,
} from '../diagnose-helpers/harness.js';
import { waitForLogLines } from '../support/logs.js';
import { testProcessGroup } from '../support/servers.js';
import { type FaultBackend, startFaultBackend } from './backend.js';
import { CLOSE_LAG_MS, KEEPALIVE_MS, type Scenario, type Sent } from './scenarios.js';

/**
 * Running one corpus scenario against one real proxy (shared by the verdict corpus test and the
 * SQL parity corpus test): the fault backend, the proxy in front of it, the driver, and the logs the
 * proxy wrote. Every process is stopped by its PID, also on failure.
 */

type Start = (dir: string, options: ProxyOptions) => Promise<ProxyInstance>;

export interface CorpusProxy {
  readonly name: string;
  readonly start: Start;
  /** `diagnose` options for the proxy's logs. */
  readonly args: string[];
  readonly method: string;
  /** The program it needs (skipped with the reason when missing). */
  readonly need?: string;
  /** `diagnose --emit-sql` options for its access log (the first of its logs); none: no SQL form. */
  readonly sqlArgs?: string[];
}

/** The lab's embedded Node proxy (its adapter and process group), retries off, a 10 s pool idle timeout. */
async function startNodeProxy(dir: string, options: ProxyOptions): Promise<ProxyInstance> {
  const group = testProcessGroup();
  const running = await LAB_PROXIES.node.start({
    group,
    bin: process.execPath,
    dir,
    upstreamPort: options.upstreamPort,
    idleMs: 10_000,
    retry: options.retry ?? false,
    name: 'node-proxy',
  });
  return { port: running.port, dir, logs: [running.logFiles[0]!], stop: () => group.stopAll() };
}

/** A proxy whose access log is read with an nginx log_format, by both engines (GET requests). */
function nginxStyle(name: string, start: Start, logFormat: string, need: string): CorpusProxy {
  const args = ['--nginx-log-format', logFormat];
  return { name, start, args, method: 'GET', need, sqlArgs: args };
}

/** The corpus proxies; KAP_CORPUS_PROXIES=nginx,node keeps some only. */
export const CORPUS_PROXIES: readonly CorpusProxy[] = [
  nginxStyle('nginx', startNginx, NGINX_LOG_FORMAT, 'nginx'),
  {
    name: 'haproxy',
    start: startHaproxy,
    args: [],
    method: 'GET',
    need: 'haproxy',
    sqlArgs: ['--format', 'haproxy'],
  },
  // Go's transport replays a GET whose reused connection failed: the race shows on POST only.
  {
    name: 'caddy',
    start: startCaddy,
    args: [],
    method: 'POST',
    need: 'caddy',
    sqlArgs: ['--format', 'caddy'],
  },
  { name: 'node', start: startNodeProxy, args: [], method: 'GET' },
  // Apache (its access log through an nginx-style format) has no retry of a failed reused
  // connection for GET: the race shows on GET.
  nginxStyle('apache', startApache, APACHE_AS_NGINX_LOG_FORMAT, 'apache2|httpd'),
].filter(
  (p) => !process.env.KAP_CORPUS_PROXIES || process.env.KAP_CORPUS_PROXIES.split(',').includes(p.name),
);

/**
 * Runs `scenario` through `proxy` in a new temp directory (pushed on `dirs` for the caller to
 * remove); returns what the driver sent, the backend (its log per request id) and the proxy's logs.
 */
export async function runCorpusScenario(
  scenario: Scenario,
  proxy: CorpusProxy,
  dirs: string[],
): Promise<{ sent: Sent[]; backend: FaultBackend; logs: string[] }> {
  const dir = makeTempDir(`kap-corpus-${scenario.id}-${proxy.name}-`);
  dirs.push(dir);
  const backend = await startFaultBackend({
    keepAliveMs: KEEPALIVE_MS,
    closeLagMs: CLOSE_LAG_MS,
    logFile: join(dir, 'backend.jsonl'),
    closeEvery: scenario.closeEvery,
  });
  try {
    const upstreamPort = scenario.down ? await refusedPort() : backend.port;
    const instance = await proxy.start(dir, {
      upstreamPort,
      retry: scenario.retry,
      readTimeoutMs: scenario.readTimeoutMs,
    });
    let sent: Sent[];
    try {
      sent = await scenario.drive({ port: instance.port, backend, method: proxy.method });
      // Every request has its access-log line before the proxy is stopped (logs[0]: the access log).
      await waitForLogLines(instance.logs[0]!, sent.length);
    } finally {
      await instance.stop();
    }
    return { sent, backend, logs: instance.logs };
  } finally {
    await backend.close();
  }
}
