import { Readable, Writable } from 'node:stream';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { findCommand } from '../commands/index.js';
import type { CliContext } from '../context.js';
import { describeError } from '../describe-error.js';

/** A tool's input: a zod raw shape (one property per CLI option). */
export type InputShape = Record<string, z.ZodType>;

/**
 * One MCP tool = one CLI command. The server runs the command's own `run` with `--json` and the
 * tool's arguments turned into CLI flags, so the tool and the command cannot drift apart.
 */
export interface ToolDeclaration<I extends InputShape = InputShape> {
  /** The CLI command (and the tool's name). */
  readonly command: string;
  readonly title: string;
  /** When to use it (the playbook's order), what it returns, how long it takes. */
  readonly description: string;
  readonly input: I;
  /** The command's `--json` document. */
  readonly output: z.ZodObject;
  readonly annotations: ToolAnnotations;
  /** The CLI arguments for an input (`--json` is added). Default: `cliArgs(input)`. */
  readonly argv?: (input: z.infer<z.ZodObject<I>>) => string[];
}

/** A declaration of any input shape (the registry's element type). */
// biome-ignore lint/suspicious/noExplicitAny: each declaration has its own input shape
export type AnyToolDeclaration = ToolDeclaration<any>;

/** Declares a tool; the identity, for type inference. */
export function defineTool<I extends InputShape>(declaration: ToolDeclaration<I>): ToolDeclaration<I> {
  return declaration;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Tool input → CLI arguments: `lbUnit: 's'` → `--lb-unit=s`, arrays repeat the flag, `true` is a bare
 * flag, `false`/undefined are left out; the keys in `positional` become positionals, in order.
 */
export function cliArgs(input: Record<string, unknown>, positional: readonly string[] = []): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (positional.includes(key) || value === undefined || value === false) continue;
    const flag = `--${kebab(key)}`;
    if (value === true) args.push(flag);
    // `--flag=value`, so that a value starting with '-' is not read as an option.
    else for (const item of Array.isArray(value) ? value : [value]) args.push(`${flag}=${String(item)}`);
  }
  for (const key of positional) {
    const value = input[key];
    if (value !== undefined) args.push('--', ...(Array.isArray(value) ? value.map(String) : [String(value)]));
  }
  return fixDoubleDash(args);
}

/** `--` may appear once; keep the first, drop later ones (several positional keys). */
function fixDoubleDash(args: string[]): string[] {
  const first = args.indexOf('--');
  return first < 0 ? args : [...args.slice(0, first + 1), ...args.slice(first + 1).filter((a) => a !== '--')];
}

/** What a tool call needs from the MCP request. */
export interface CallEnvironment {
  readonly signal: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Progress notification (only when the client asked for progress). */
  readonly progress?: ((done: number, total: number | undefined, message: string) => void) | undefined;
}

export interface ToolOutcome {
  readonly exitCode: number;
  /** The command's JSON document; undefined when the command failed (exit 2 without a report). */
  readonly report: Record<string, unknown> | undefined;
  /** The CLI's error line when the command threw (usage or input error), else undefined. */
  readonly error: string | undefined;
  /** Everything the command wrote to stderr (progress lines, warnings). */
  readonly stderr: string;
}

class Collect extends Writable {
  text = '';
  constructor(private readonly onLine?: (line: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    const text = chunk.toString();
    if (this.onLine) for (const line of text.split('\n')) if (line.trim()) this.onLine(line);
    this.text += text;
    done();
  }
}

/** Runs a CLI command in-process exactly as `keepalive-parity NAME ARGS --json` would. */
export async function runCommand(name: string, args: string[], call: CallEnvironment): Promise<ToolOutcome> {
  const entry = findCommand(name);
  if (!entry) throw new Error(`no command ${name}`);
  const command = await entry.load();
  const stdout = new Collect();
  const stderr = new Collect();
  const stdin = Readable.from([]); // a tool has no stdin (`-` inputs read nothing)
  const context: CliContext = {
    stdout,
    stderr,
    stdin,
    env: call.env,
    cwd: call.cwd,
    color: false,
    signal: call.signal,
    onProgress: call.progress,
  };
  const jsonArgs = args.includes('--') ? ['--json', ...args] : [...args, '--json'];
  let exitCode: number;
  let error: string | undefined;
  try {
    exitCode = await command.run(jsonArgs, context);
  } catch (caught) {
    exitCode = 2;
    error = describeError(name, caught);
  }
  let report: Record<string, unknown> | undefined;
  if (error === undefined && stdout.text.trim()) report = JSON.parse(stdout.text) as Record<string, unknown>;
  return { exitCode, report, error, stderr: stderr.text };
}
