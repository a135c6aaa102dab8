import { parseDuration } from '@keepalive-parity/core';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { usageError } from '../errors.js';
import { EXIT_FOUND, EXIT_OK } from '../exit-codes.js';
import { palette } from '../render/color.js';
import { outputFormat } from '../render/formats/index.js';
import { writeJson } from '../render/json.js';

const OPTIONS = {
  hops: { type: 'string' },
  margin: { type: 'string' },
  'max-files': { type: 'string' },
  json: { type: 'boolean' },
  format: { type: 'string' },
} as const;

export const scanCommand: Command = {
  name: 'scan',
  summary:
    'Find both sides of every hop in a repository (nginx, Kubernetes, Terraform, compose, Dockerfiles) and check each',
  help: `Usage: keepalive-parity scan [PATH] [options]

Walks PATH (default .), respecting .gitignore, and reads every file a reader recognises:
nginx/HAProxy configs, Kubernetes manifests, Terraform, docker compose files, Dockerfiles, ECS task
definitions, gunicorn.conf.py, config/puma.rb, Tomcat server.xml, Spring Boot application.*,
appsettings.json, httpd.conf. It pairs each load balancer / proxy pool with the backends it routes
to where the files say so:

  nginx upstream { server HOST:PORT; }   → compose service HOST, or Kubernetes Service HOST → workloads
  Kubernetes Ingress → Service → Deployment/StatefulSet (selector → pod labels)
  Terraform aws_lb → listener → target group → aws_ecs_service → task definition containers
  a container with no command       → the Dockerfile built for its image (image name = folder name)

then checks every hop: server keep-alive >= client pool idle + margin. Sides it cannot pair are
listed as "unpaired" with what was found. A keepalive-parity.yaml at the root (or --hops FILE)
names more pairs (same format as check --hops; sources relative to PATH).

Options:
  --hops FILE        a hops file naming pairs (default: PATH/keepalive-parity.yaml if present)
  --margin DURATION  required headroom (default 5s)
  --max-files N      stop after N files (default 50000)
  --json             one JSON document on stdout (check's document plus unpaired, diagnostics)
  --format FORMAT    text (default), json, sarif, junit or github (see docs/formats.md)

Exit codes: 0 no hop violates the rule, 1 a hop violates it, 2 usage or input error.

Examples:
  keepalive-parity scan .
  keepalive-parity scan services/ --json > keepalive-report.json
`,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs('scan', args, OPTIONS, true);
    const format = outputFormat('scan', values);
    if (positionals.length > 1)
      throw usageError('scan: give at most one PATH (see keepalive-parity scan --help)');
    const marginMs =
      values.margin === undefined
        ? undefined
        : parseDuration(values.margin, { syntax: 'plain', location: { field: '--margin' } }).ms;
    let maxFiles: number | undefined;
    if (values['max-files'] !== undefined) {
      if (!/^\d+$/.test(values['max-files']) || Number(values['max-files']) < 1)
        throw usageError('scan: --max-files must be a positive whole number');
      maxFiles = Number(values['max-files']);
    }
    const { scanRepository } = await import('../scan/index.js');
    const { renderScan, scanDocument } = await import('../scan/render.js');
    const { stat } = await import('node:fs/promises');
    const { resolve } = await import('node:path');
    const root = positionals[0] ?? '.';
    const isDir = await stat(resolve(context.cwd, root)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) throw usageError(`scan: ${root} is not a folder`);
    const result = await scanRepository({ root, marginMs, hopsFile: values.hops, maxFiles }, context);
    if (format.kind === 'json') writeJson(context.stdout, scanDocument(result, context.cwd));
    else if (format.kind === 'renderer')
      context.stdout.write(
        (await format.renderer.load()).render({
          command: 'scan',
          evaluation: result.evaluation,
          baseDir: result.root,
          cwd: context.cwd,
        }),
      );
    else context.stdout.write(renderScan(result, palette(context.color), context.cwd));
    return result.evaluation.verdict === 'violation' ? EXIT_FOUND : EXIT_OK;
  },
};
