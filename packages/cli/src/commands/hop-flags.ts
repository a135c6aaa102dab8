import { resolve } from 'node:path';
import {
  assembleHops,
  DURATION_UNITS,
  type DurationUnit,
  type Hop,
  type HopSpec,
  KeepaliveParityError,
  parseDuration,
} from '@keepalive-parity/core/engine';
import type { CliContext } from '../context.js';
import { usageError } from '../errors.js';
import { readTextFile } from '../fs-text.js';
import { createSourceIo } from '../io.js';

/** Options shared by `check` and `assert` for describing hops on the command line. */
export const HOP_OPTIONS = {
  lb: { type: 'string', multiple: true },
  backend: { type: 'string', multiple: true },
  'lb-unit': { type: 'string' },
  'backend-unit': { type: 'string' },
  'lb-product': { type: 'string' },
  'backend-product': { type: 'string' },
  'backend-env': { type: 'string' },
  margin: { type: 'string' },
  hops: { type: 'string' },
  'allow-default': { type: 'boolean' },
  json: { type: 'boolean' },
  format: { type: 'string' },
  'endpoint-url': { type: 'string' },
} as const;

export interface HopFlagValues {
  lb?: string[] | undefined;
  backend?: string[] | undefined;
  'lb-unit'?: string | undefined;
  'backend-unit'?: string | undefined;
  'lb-product'?: string | undefined;
  'backend-product'?: string | undefined;
  'backend-env'?: string | undefined;
  margin?: string | undefined;
  hops?: string | undefined;
  'allow-default'?: boolean | undefined;
  /** AWS API endpoint override for alb:/elb: sources (a local test endpoint, a VPC endpoint). */
  'endpoint-url'?: string | undefined;
}

function unitOption(flag: string, value: string | undefined): DurationUnit | undefined {
  if (value === undefined) return undefined;
  if (!DURATION_UNITS.includes(value as DurationUnit)) {
    throw usageError(`--${flag} must be one of ${DURATION_UNITS.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as DurationUnit;
}

/** Builds hops from `--lb/--backend` pairs and/or a `--hops` file, then resolves every source. */
export async function hopsFromFlags(
  command: string,
  values: HopFlagValues,
  context: CliContext,
  allowDefault: boolean,
): Promise<Hop[]> {
  const lbs = values.lb ?? [];
  const backends = values.backend ?? [];
  const marginMs =
    values.margin === undefined
      ? undefined
      : parseDuration(values.margin, { syntax: 'plain', location: { field: '--margin' } }).ms;
  const specs: HopSpec[] = [];
  let fileMarginMs: number | undefined;
  if (values.hops !== undefined) {
    const path = resolve(context.cwd, values.hops);
    let text: string;
    try {
      text = await readTextFile(path);
    } catch (error) {
      throw new KeepaliveParityError(
        'KAP_INPUT_INVALID',
        `cannot read hops file ${values.hops}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        {
          file: values.hops,
        },
      );
    }
    // The hops file parser (YAML) loads only for --hops (start-up rule: commands/index.ts).
    const { parseHopsFile } = await import('@keepalive-parity/core');
    const file = parseHopsFile(text, values.hops);
    fileMarginMs = file.marginMs;
    specs.push(...file.hops);
  }
  if (lbs.length !== backends.length) {
    const missing = lbs.length < backends.length ? '--lb' : '--backend';
    throw usageError(
      `${command}: ${missing} is missing: give --lb and --backend in pairs (${lbs.length} --lb, ${backends.length} --backend)`,
    );
  }
  if (specs.length === 0 && lbs.length === 0) {
    throw usageError(
      `${command}: nothing to check: give --lb SOURCE --backend SOURCE, or --hops FILE (see keepalive-parity ${command} --help)`,
    );
  }
  const backendEnv = values['backend-env'];
  if (backendEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(backendEnv)) {
    throw usageError(`--backend-env must name an environment variable (got ${JSON.stringify(backendEnv)})`);
  }
  const lbUnit = unitOption('lb-unit', values['lb-unit']);
  const backendUnit = unitOption('backend-unit', values['backend-unit']);
  lbs.forEach((lb, i) => {
    const backend = withBackendEnv(backends[i]!, backendEnv);
    const line = 0;
    specs.push({
      client: {
        source: lb,
        unit: lbUnit,
        product: values['lb-product'],
        extras: {},
        field: '--lb',
        file: '(command line)',
        line,
      },
      server: {
        source: backend,
        unit: backendUnit,
        product: values['backend-product'],
        extras: {},
        field: '--backend',
        file: '(command line)',
        line,
      },
      line,
    });
  });
  const ioContext = values['endpoint-url']
    ? { ...context, env: { ...context.env, KAP_AWS_ENDPOINT_URL: values['endpoint-url'] } }
    : context;
  return assembleHops(specs, createSourceIo(ioContext), { marginMs: marginMs ?? fileMarginMs, allowDefault });
}

/** Sources that read a process's environment take the Node env convention as `#VAR`. */
const ENV_CONVENTION_KINDS = /^(cmd|proc|image):/;

/** `--backend-env VAR`: names the variable a Node server reads its keep-alive (ms) from. */
function withBackendEnv(source: string, variable: string | undefined): string {
  if (variable === undefined) return source;
  if (!ENV_CONVENTION_KINDS.test(source)) {
    throw usageError(
      `--backend-env applies to cmd:, proc: and image: sources (got ${JSON.stringify(source)}); for a plain variable use --backend env:${variable}`,
    );
  }
  return /#[^/]*$/.test(source) ? source : `${source}#${variable}`;
}
