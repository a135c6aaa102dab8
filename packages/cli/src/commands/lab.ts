import { parseDuration } from '@keepalive-parity/core';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { usageError } from '../errors.js';
import { EXIT_FOUND, EXIT_OK } from '../exit-codes.js';
import { palette } from '../render/color.js';
import { writeJson } from '../render/json.js';

const OPTIONS = {
  proxy: { type: 'string' },
  'proxy-bin': { type: 'string' },
  natural: { type: 'boolean' },
  'stock-node': { type: 'boolean' },
  'backend-keepalive': { type: 'string' },
  'proxy-idle': { type: 'string' },
  window: { type: 'string' },
  attempts: { type: 'string' },
  timeout: { type: 'string' },
  scenario: { type: 'string', multiple: true },
  margin: { type: 'string' },
  'keep-artifacts': { type: 'string' },
  capture: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

function duration(text: string, field: string): number {
  return parseDuration(text, { syntax: 'plain', location: { field } }).ms;
}

export const labCommand: Command = {
  name: 'lab',
  summary:
    'Reproduce the keep-alive race with a real proxy on 127.0.0.1, then prove the fix and the retry boundary',
  help: `Usage: keepalive-parity lab [options]

Starts a backend and a real reverse proxy on 127.0.0.1 (ephemeral ports), measures the backend's
real idle close with the probe engine, then runs four scenarios through the proxy and joins the
proxy's responses with the backend's log:
  mismatch     backend keep-alive < proxy upstream idle, retries off: 502s, no handler call
  fixed        backend keep-alive >= proxy idle + margin: no 502
  retry-get    the proxy's retry on connection failure, GET: no 502, each request runs once
  retry-post   the same, POST: still 502 (a non-idempotent request is not replayed)

Deterministic mode (default) widens the race window on purpose: the lab's backend stops reading
at its idle deadline and closes --window later (a busy event loop whose idle timer fires late),
and each test request is sent inside that window. --natural does not widen anything: it sweeps
gaps in 0.5 ms steps around the measured close and reports the 502 rate per gap.

Options:
  --proxy NAME              nginx | haproxy | apache | caddy | node (default: nginx when it is on
                            PATH, else the embedded Node proxy: an http.Agent keep-alive pool of
                            one socket, no retry)
  --proxy-bin PATH          the proxy's executable (default: found on PATH, then in /usr/sbin)
  --natural                 natural mode: no widening, a sweep across the real window
  --stock-node              with --natural: the backend is a stock Node http.Server with
                            keepAliveTimeout = --backend-keepalive (Node 20 closes 1 s later:
                            calibration shows it)
  --backend-keepalive DUR   backend idle keep-alive in the mismatch scenario (default 1s)
  --proxy-idle DUR          proxy upstream pool idle timeout (default 10s)
  --window DUR              deterministic: the backend's late-close window (default 20ms);
                            natural: width of the sweep, -40 % … +60 % around the close (default 5ms)
  --attempts N              requests inside the window per scenario (default 3; natural 16)
  --timeout DUR             wall-time limit of the whole run (default 60s; natural 300s)
  --scenario NAME           run only this scenario (repeatable)
  --margin DUR              margin of the fixed scenario (default 5s)
  --keep-artifacts DIR      keep configurations, proxy access/error logs, backend logs there
  --capture                 with --keep-artifacts: tcpdump each scenario's backend port
  --json                    one JSON document on stdout (progress goes to stderr)

Exit codes: 0 no proxy 502 in any scenario, 1 the race was reproduced (a proxy 502), 2 usage
error or a proxy that could not be started. Every process the lab starts is stopped by its PID
and its temp directory removed, also on failure, Ctrl-C and SIGTERM.

Examples:
  keepalive-parity lab
  keepalive-parity lab --proxy haproxy --json
  keepalive-parity lab --proxy nginx --natural --scenario mismatch --keep-artifacts ./lab-run --capture
`,
  async run(args, context) {
    const { values } = parseCommandArgs('lab', args, OPTIONS);
    const { PROXY_NAMES, PROXIES, findExecutable, findOnPath } = await import('../lab/proxies.js');
    const { SCENARIO_NAMES } = await import('../lab/types.js');
    const { runLab, LabSetupError } = await import('../lab/run.js');
    const { renderLab, renderNaturalGaps, labDocument } = await import('../lab/report.js');
    type ProxyName = (typeof PROXY_NAMES)[number];
    type ScenarioName = (typeof SCENARIO_NAMES)[number];

    let proxy: ProxyName;
    if (values.proxy === undefined) {
      // nginx when it is on PATH; otherwise the embedded proxy, so that a machine with only Node works.
      proxy = values['proxy-bin'] || findExecutable(PROXIES.nginx, context.env, false) ? 'nginx' : 'node';
    } else if ((PROXY_NAMES as readonly string[]).includes(values.proxy)) proxy = values.proxy as ProxyName;
    else
      throw usageError(
        `lab: --proxy ${JSON.stringify(values.proxy)}: expected one of ${PROXY_NAMES.join(', ')}`,
      );
    if (proxy === 'node' && values['proxy-bin'])
      throw usageError('lab: --proxy-bin does not apply to --proxy node');
    const natural = values.natural === true;
    const scenarios = (values.scenario ?? [...SCENARIO_NAMES]) as string[];
    for (const s of scenarios) {
      if (!(SCENARIO_NAMES as readonly string[]).includes(s))
        throw usageError(
          `lab: --scenario ${JSON.stringify(s)}: expected one of ${SCENARIO_NAMES.join(', ')}`,
        );
    }
    const attempts = values.attempts === undefined ? (natural ? 16 : 3) : Number(values.attempts);
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 1000)
      throw usageError(
        `lab: --attempts ${JSON.stringify(values.attempts)}: expected an integer from 1 to 1000`,
      );
    const backendKeepAliveMs = duration(values['backend-keepalive'] ?? '1s', '--backend-keepalive');
    const proxyIdleMs = duration(values['proxy-idle'] ?? '10s', '--proxy-idle');
    const windowMs = duration(values.window ?? (natural ? '5ms' : '20ms'), '--window');
    const timeoutMs = duration(values.timeout ?? (natural ? '300s' : '60s'), '--timeout');
    const fixedMarginMs = duration(values.margin ?? '5s', '--margin');
    if (backendKeepAliveMs < 50 || backendKeepAliveMs > 60_000)
      throw usageError('lab: --backend-keepalive must be between 50ms and 60s');
    if (proxyIdleMs <= backendKeepAliveMs)
      throw usageError(
        'lab: --proxy-idle must be longer than --backend-keepalive (the mismatch scenario needs it)',
      );
    if (windowMs < 1 || windowMs > 1000) throw usageError('lab: --window must be between 1ms and 1s');
    if (timeoutMs < 1000) throw usageError('lab: --timeout must be at least 1s');
    if (values['stock-node'] && !natural)
      throw usageError('lab: --stock-node needs --natural (a stock Node server has no late-close window)');
    if (values.capture && !values['keep-artifacts'])
      throw usageError('lab: --capture needs --keep-artifacts DIR (the pcap is written there)');
    if (values.capture && !findOnPath('tcpdump', context.env))
      throw usageError('lab: --capture needs tcpdump on PATH');

    let steps = 0;
    const progress = (line: string) => {
      context.stderr.write(`lab: ${line}\n`);
      context.onProgress?.(++steps, undefined, line);
    };
    let result: Awaited<ReturnType<typeof runLab>>;
    try {
      result = await runLab({
        proxy,
        proxyBin: values['proxy-bin'],
        mode: natural ? 'natural' : 'deterministic',
        backendKeepAliveMs,
        proxyIdleMs,
        windowMs,
        attempts,
        timeoutMs,
        scenarios: scenarios as ScenarioName[],
        fixedMarginMs,
        stockNodeBackend: values['stock-node'] === true,
        keepArtifactsDir: values['keep-artifacts'],
        capture: values.capture === true,
        signal: context.signal,
        progress,
      });
    } catch (error) {
      if (error instanceof LabSetupError) throw usageError(`lab: ${error.message}`);
      throw error;
    }
    if (values.json) writeJson(context.stdout, labDocument(result));
    else {
      const p = palette(context.color);
      context.stdout.write(renderLab(result, p));
      if (natural) context.stdout.write(`\n${renderNaturalGaps(result)}`);
      for (const s of result.scenarios) {
        if (s.capture) context.stdout.write(`\nPacket capture of the ${s.name} scenario: ${s.capture}\n`);
      }
      if (result.artifactsDir)
        context.stdout.write(`\nArtifacts (configs, proxy and backend logs): ${result.artifactsDir}\n`);
    }
    return result.raceReproduced ? EXIT_FOUND : EXIT_OK;
  },
};
