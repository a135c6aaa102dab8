import { parseDuration } from '@keepalive-parity/core';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { usageError } from '../errors.js';
import { EXIT_FOUND, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { palette } from '../render/color.js';
import { writeJson } from '../render/json.js';

const OPTIONS = {
  samples: { type: 'string' },
  'max-wait': { type: 'string' },
  method: { type: 'string' },
  header: { type: 'string', multiple: true },
  insecure: { type: 'boolean' },
  through: { type: 'string' },
  'max-requests': { type: 'boolean' },
  'max-requests-limit': { type: 'string' },
  'reuse-after': { type: 'string' },
  'reuse-sweep': { type: 'string' },
  'reuse-steps': { type: 'string' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
} as const;

function durationMs(text: string, field: string): number {
  return parseDuration(text, { syntax: 'plain', location: { field } }).ms;
}

function positiveInteger(text: string, field: string, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > max) {
    throw usageError(`probe: ${field} must be a whole number from 1 to ${max}, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function parseHeaders(values: readonly string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const raw of values ?? []) {
    const colon = raw.indexOf(':');
    const name = colon > 0 ? raw.slice(0, colon).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(raw)) {
      // Never echo the value: it may be a credential.
      throw usageError(
        `probe: --header must look like "Name: value" (got a header named ${JSON.stringify(name)})`,
      );
    }
    headers[name] = raw.slice(colon + 1).trim();
  }
  return headers;
}

export const probeCommand: Command = {
  name: 'probe',
  summary: "Measure a live server's real idle keep-alive close (ms, FIN/RST, advertised vs real)",
  help: `Usage: keepalive-parity probe URL [options]

Opens one HTTP/1.1 connection at a time (TLS for https://, with SNI), sends one request, reads
the whole response, then waits idle and times the server's close from the last response byte,
to the millisecond. Repeats for --samples and reports min / median / max, FIN or RST, the
advertised Keep-Alive and Connection headers (and whether the real close agrees), and whether
the server keeps connections alive at all.

Options:
  --samples N               samples, one fresh connection each (default 3)
  --max-wait DURATION       stop waiting for a close after this long (default 10m)
  --method GET|HEAD         request method (default GET; HEAD avoids side effects)
  --header "Name: value"    extra request header, repeatable (Host, auth); never echoed
  --insecure                skip TLS certificate verification
  --through direct|lb       what sits between you and the server (default direct). Through a
                            load balancer you measure the balancer's client-side idle timeout,
                            not the backend's keep-alive
  --max-requests            also count how many requests one connection serves (back to back)
  --max-requests-limit N    stop counting after N requests (default 1000)
  --reuse-after GAP         send a second request after an idle GAP on the same connection and
                            report whether it was served, reset or silently lost (the race)
  --reuse-sweep FROM..TO    locate the close between two gaps by bisection (fresh connection
                            per step), e.g. 1900ms..2100ms
  --reuse-steps N           at most N sweep steps (default 12, at most 40)
  --json                    one JSON document on stdout
  --no-color                no colours

A probe is also a source for check: --backend probe:URL measures (3 samples) and uses the median.

Exit codes: 0 measured (or out of scope: HTTP/2 only), 1 a race or a broken hint was seen (a
reused request was reset or lost, or the server closes earlier than its advertised timeout),
2 usage error or the server could not be probed (connect, TLS or protocol failure).

Examples:
  keepalive-parity probe http://10.0.3.7:8080/healthz
  keepalive-parity probe https://api.example.com/healthz --method HEAD --header "Host: api.example.com" --samples 5
  keepalive-parity probe http://127.0.0.1:8080/ --reuse-sweep 1900ms..2100ms --json
`,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs('probe', args, OPTIONS, true);
    if (positionals.length !== 1)
      throw usageError('probe: give exactly one URL (see keepalive-parity probe --help)');
    const method = (values.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') throw usageError('probe: --method must be GET or HEAD');
    const through = values.through ?? 'direct';
    if (through !== 'direct' && through !== 'lb') throw usageError('probe: --through must be direct or lb');
    const samples =
      values.samples === undefined ? undefined : positiveInteger(values.samples, '--samples', 1000);
    const maxWaitMs =
      values['max-wait'] === undefined ? undefined : durationMs(values['max-wait'], '--max-wait');
    if (maxWaitMs !== undefined && maxWaitMs <= 0) throw usageError('probe: --max-wait must be above zero');
    const maxRequestsLimit = values['max-requests']
      ? values['max-requests-limit'] === undefined
        ? undefined
        : positiveInteger(values['max-requests-limit'], '--max-requests-limit', 100_000)
      : undefined;
    const reuseAfterMs =
      values['reuse-after'] === undefined ? undefined : durationMs(values['reuse-after'], '--reuse-after');
    let reuseSweep: { fromMs: number; toMs: number; maxSteps: number } | undefined;
    if (values['reuse-sweep'] !== undefined) {
      const parts = String(values['reuse-sweep']).split('..');
      if (parts.length !== 2)
        throw usageError('probe: --reuse-sweep must look like FROM..TO, e.g. 1900ms..2100ms');
      const fromMs = durationMs(parts[0] as string, '--reuse-sweep');
      const toMs = durationMs(parts[1] as string, '--reuse-sweep');
      if (!(toMs > fromMs)) throw usageError('probe: --reuse-sweep needs FROM below TO');
      const maxSteps =
        values['reuse-steps'] === undefined
          ? 12
          : positiveInteger(values['reuse-steps'], '--reuse-steps', 40);
      reuseSweep = { fromMs, toMs, maxSteps };
    }
    const headers = parseHeaders(values.header);
    const { DEFAULT_MAX_REQUESTS_LIMIT, DEFAULT_SAMPLES, runProbe } = await import('../probe/run.js');
    const { renderProbeReport, formatMs } = await import('../probe/render.js');
    const report = await runProbe({
      url: positionals[0] as string,
      method,
      headers,
      insecure: values.insecure === true,
      through,
      ...(samples !== undefined ? { samples } : {}),
      ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
      ...(values['max-requests'] ? { maxRequestsLimit: maxRequestsLimit ?? DEFAULT_MAX_REQUESTS_LIMIT } : {}),
      ...(reuseAfterMs !== undefined ? { reuseAfterMs } : {}),
      ...(reuseSweep ? { reuseSweep } : {}),
      signal: context.signal,
      onSample: (sample, index) => {
        const line = `sample ${index + 1}: ${sample.closeKind}${sample.idleCloseMs === null ? '' : ` after ${formatMs(sample.idleCloseMs)}`}`;
        context.stderr.write(`probe: ${line}\n`);
        context.onProgress?.(index + 1, samples ?? DEFAULT_SAMPLES, line);
      },
    });
    if (values.json) writeJson(context.stdout, report);
    else context.stdout.write(renderProbeReport(report, palette(context.color)));
    if (report.error && report.error.code !== 'http2-only') return EXIT_USAGE;
    const raced = (outcome: string) => outcome === 'reset' || outcome === 'lost';
    if (
      (report.reuse && raced(report.reuse.outcome)) ||
      report.reuseSweep?.steps.some((step) => raced(step.outcome)) ||
      report.advertisedAgreement === 'closes-earlier'
    ) {
      return EXIT_FOUND;
    }
    return EXIT_OK;
  },
};
