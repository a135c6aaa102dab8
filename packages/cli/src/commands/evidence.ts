import { parseDuration } from '@keepalive-parity/core';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { usageError } from '../errors.js';
import { EXIT_FOUND, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { palette } from '../render/color.js';
import { writeJson } from '../render/json.js';

const OPTIONS = {
  json: { type: 'boolean' },
  html: { type: 'string' },
  margin: { type: 'string' },
  'no-color': { type: 'boolean' },
} as const;

export const evidenceCommand: Command = {
  name: 'evidence',
  summary: 'Read packet captures: the race, both measured timeouts and the hop verdict',
  help: `Usage: keepalive-parity evidence FILE|FOLDER|- ... [options]

Reads packet captures (pcap or pcapng, gzip-compressed or not; folders are read recursively, - is
standard input), follows every TCP connection and reports:
  races          a request sent after the server's FIN on an idle connection, or a server RST
                 answering a request on a reused idle connection (the phantom 502)
  servers        each server's keep-alive, measured at its idle closes (min / median / max)
  clients        each client's pool idle, measured at its idle closes
  hops           the verdict of check's rule on the measured values (same rules and margin)
  other closes   after N requests, during a response (crash), connect refused, HTTP/2 (out of scope)
Link types: Ethernet (VLAN), Linux cooked v1/v2 (tcpdump -i any), raw IP, BSD loopback; IPv4 and
IPv6. A small snap length (-s 96) is fine: request and status lines are enough. Capture with e.g.
  tcpdump -ni any -s 256 -w race.pcap 'tcp port 8080'

Options:
  --json             one JSON document on stdout
  --html FILE        also write an HTML report (race timeline, idle-at-close histograms)
  --margin DURATION  the rule's margin (default 5s, as check)
  --no-color         no colours

The measured values are also sources for check: --backend pcap:FILE --lb pcap:FILE.

Exit codes: 0 no race and no violated hop, 1 a race or a violated hop was found, 2 usage error,
nothing readable, or part of the input could not be read or the run was interrupted (and no race
was found in the rest).

Examples:
  keepalive-parity evidence race.pcap
  keepalive-parity evidence captures/ --json
  zcat race.pcap.gz | keepalive-parity evidence - --html evidence.html
`,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs('evidence', args, OPTIONS, true);
    if (positionals.length === 0)
      throw usageError(
        'evidence: give at least one capture file, folder or - (see keepalive-parity evidence --help)',
      );
    const marginMs =
      values.margin === undefined
        ? undefined
        : parseDuration(values.margin, { syntax: 'plain', location: { field: '--margin' } }).ms;
    const { DEFAULT_MARGIN_MS } = await import('@keepalive-parity/core');
    const { readCaptures } = await import('../evidence/read.js');
    const { nothingReadableMessage, unreadParts } = await import('../evidence/messages.js');
    const { report, warnings, interrupted } = await readCaptures(positionals, {
      cwd: context.cwd,
      stdin: context.stdin,
      marginMs: marginMs ?? DEFAULT_MARGIN_MS,
      timeline: values.html !== undefined,
      signal: context.signal,
      onProgress: context.onProgress,
    });
    if (values.json) writeJson(context.stdout, { command: 'evidence', interrupted, ...report, warnings });
    else {
      const { renderEvidence } = await import('../evidence/render.js');
      context.stdout.write(renderEvidence(report, warnings, palette(context.color)));
    }
    if (values.html !== undefined) {
      const { writeFile } = await import('node:fs/promises');
      const { resolve } = await import('node:path');
      const { renderEvidenceHtml } = await import('../evidence/html.js');
      await writeFile(
        resolve(context.cwd, values.html),
        renderEvidenceHtml(report, new Date().toISOString()),
      );
      context.stderr.write(`evidence: HTML report written to ${values.html}\n`);
    }
    const nothing = nothingReadableMessage(report, warnings);
    if (nothing) {
      context.stderr.write(`evidence: ${nothing}\n`);
      return EXIT_USAGE;
    }
    for (const line of [...unreadParts(report), ...warnings]) context.stderr.write(`evidence: ${line}\n`);
    if (interrupted) context.stderr.write('evidence: interrupted: the captures were not read to their end\n');
    if (report.racesTotal > 0 || report.hops.some((h) => h.verdict === 'violation')) return EXIT_FOUND;
    // What was not read cannot clear the suspect.
    return interrupted || unreadParts(report).length > 0 || warnings.length > 0 ? EXIT_USAGE : EXIT_OK;
  },
};
