import type { Command } from '../context.js';

/**
 * The one command registry: a name, a one-line summary and a loader per command.
 *
 * Start-up rule (issue 12; `bench/startup`, docs/benchmarks.md): `keepalive-parity --help`,
 * `check` and `assert` start within 1.3x a bare `node -e 0`, so
 * - this file imports NO command module and nothing from `@keepalive-parity/core`: a command is
 *   loaded by `load()` only when it runs (or shows its own --help);
 * - a command module keeps its top-level imports to what its common path needs; heavy
 *   dependencies (AWS SDK, CloudWatch, DuckDB, the HCL parser, the MCP SDK, zod, worker pools)
 *   are imported with `await import()` inside `run` or inside the source/reader that needs them;
 * - a new command is one entry here: `{ name, summary, load: () => import('./x.js').then((m) => m.xCommand) }`,
 *   with the same summary as its module (test/startup.test.ts checks both, and what `--help`,
 *   `check` and `assert` load);
 * - `check` and `assert` are loaded from ./start-path.js, bundled with the engine into one chunk
 *   beside dist/start.cjs (this file's bundle; scripts/bundle-cli.mjs); every other command is
 *   loaded from the compiled dist/commands/. On the start-up path, take Node's built-ins with
 *   `process.getBuiltinModule()` (see args.ts).
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  // In the order users meet them: see the race, check a hop, guard it, find it, measure it, read logs.
  {
    name: 'lab',
    summary:
      'Reproduce the keep-alive race with a real proxy on 127.0.0.1, then prove the fix and the retry boundary',
    load: () => import('./lab.js').then((m) => m.labCommand),
  },
  {
    name: 'check',
    summary: 'Check the keep-alive rule on each hop: server keep-alive >= client pool idle + margin',
    load: () => import('./start-path.js').then((m) => m.checkCommand),
  },
  {
    name: 'assert',
    summary: 'Build/deploy-time guard: fail unless every hop holds; missing values are errors',
    load: () => import('./start-path.js').then((m) => m.assertCommand),
  },
  {
    name: 'scan',
    summary:
      'Find both sides of every hop in a repository (nginx, Kubernetes, Terraform, compose, Dockerfiles) and check each',
    load: () => import('./scan.js').then((m) => m.scanCommand),
  },
  {
    name: 'probe',
    summary: "Measure a live server's real idle keep-alive close (ms, FIN/RST, advertised vs real)",
    load: () => import('./probe.js').then((m) => m.probeCommand),
  },
  {
    name: 'diagnose',
    summary: 'Read LB/proxy logs and tell whether the 5xx are the keep-alive race, with evidence',
    load: () => import('./diagnose.js').then((m) => m.diagnoseCommand),
  },
  {
    name: 'verify',
    summary: 'Did the LB 502s go away after the fix? Before/after windows from metrics and/or logs',
    load: () => import('./verify.js').then((m) => m.verifyCommand),
  },
  {
    name: 'evidence',
    summary: 'Read packet captures: the race, both measured timeouts and the hop verdict',
    load: () => import('./evidence.js').then((m) => m.evidenceCommand),
  },
  {
    name: 'defaults',
    summary: 'List the knowledge base of keep-alive / idle-timeout defaults, with sources',
    load: () => import('./defaults.js').then((m) => m.defaultsCommand),
  },
  {
    name: 'mcp',
    summary: 'Serve the commands as MCP tools (stdio) for AI agents: tools, rule pages, defaults, a prompt',
    load: () => import('./mcp.js').then((m) => m.mcpCommand),
  },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
