import { evaluate } from '@keepalive-parity/core/engine';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { EXIT_FOUND, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { palette } from '../render/color.js';
import { outputFormat } from '../render/formats/index.js';
import { writeJson } from '../render/json.js';
import { renderReport, reportDocument } from '../render/report.js';
import { HOP_OPTIONS, hopsFromFlags } from './hop-flags.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'Check the keep-alive rule on each hop: server keep-alive >= client pool idle + margin',
  help: `Usage: keepalive-parity check --lb SOURCE --backend SOURCE [options]
       keepalive-parity check --hops hops.yaml [options]

Checks, on every hop (a client-side pool → a server), that
  server keep-alive >= client pool idle + margin
with units normalised, shows where each value came from, and writes both fixes.

Sources (kind:locator; --lb and --backend are given in pairs and may repeat):
  60s, 1500ms, value:2m     a literal duration (a bare number needs --lb-unit/--backend-unit)
  runtime:NAME[@VERSION]    a product default from the knowledge base (see: keepalive-parity defaults)
  env:VAR                   an environment variable
  alb:NAME|ARN|all, elb:NAME  a live AWS load balancer's idle timeout (AWS credential chain)
  nginx:FILE[#UPSTREAM]     nginx config with includes, or nginx:- for \`nginx -T\` on stdin
                            (also haproxy:, envoy:FILE|ADMIN_URL, traefik:, caddy:, k8s:, terraform:)
  cloud:gcp, cloud:cloudflare  a platform-fixed load-balancer value

Options:
  --lb SOURCE               the client side: load balancer / proxy / HTTP client pool idle timeout
  --backend SOURCE          the server side: backend keep-alive timeout
  --lb-unit, --backend-unit ms|s|m|h: the unit of a bare number
  --lb-product, --backend-product NAME
                            the product a literal value belongs to (fixes are written for it,
                            and a bare number is read in its unit)
  --backend-env VAR         the env var a Node server reads its keepAliveTimeout (ms) from, for
                            cmd:, proc: and image: sources
  --endpoint-url URL        AWS API endpoint for alb:/elb: (else AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2)
  --margin DURATION         required headroom (default 5s)
  --hops FILE               a YAML hops file (hops: or chain:); see docs/hops-file.md
  --json                    one JSON document on stdout
  --format FORMAT           text (default), json, sarif, junit or github (see docs/formats.md)
  --no-color                no colours (also: NO_COLOR)

Exit codes: 0 every hop holds, 1 a hop violates the rule, 2 usage or input error, or a hop that
cannot be judged (verdict unknown: a value is missing or unverified, or the hop is out of scope;
the report is still printed).

Examples:
  keepalive-parity check --lb 60s --backend runtime:gunicorn
  keepalive-parity check --lb alb:my-alb --backend 65s --json
  nginx -T | keepalive-parity check --lb nginx:- --backend runtime:uvicorn
  keepalive-parity check --lb runtime:aws-alb --backend env:KEEP_ALIVE_TIMEOUT --backend-unit ms --backend-product node
  keepalive-parity check --hops hops.yaml --json
`,
  async run(args, context) {
    const { values } = parseCommandArgs('check', args, HOP_OPTIONS);
    const format = outputFormat('check', values); // an unknown format fails before any I/O
    const hops = await hopsFromFlags('check', values, context, true);
    const evaluation = evaluate(hops);
    if (format.kind === 'json') writeJson(context.stdout, reportDocument(evaluation, 'check'));
    else if (format.kind === 'renderer')
      context.stdout.write(
        (await format.renderer.load()).render({
          command: 'check',
          evaluation,
          baseDir: context.cwd,
          cwd: context.cwd,
        }),
      );
    else context.stdout.write(renderReport(evaluation, palette(context.color)));
    if (evaluation.verdict === 'violation') return EXIT_FOUND;
    // A hop that cannot be judged (unknown or unverified value, out of scope) must not pass a guard.
    return evaluation.verdict === 'unknown' ? EXIT_USAGE : EXIT_OK;
  },
};
