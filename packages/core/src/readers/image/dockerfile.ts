import type { Provenance } from '../../facts.js';
import { type EnvEntry, splitCommandLine } from '../servers/index.js';
import type { ConfigReader, ReaderDiagnostic, ReaderInput, ReaderResult } from '../types.js';
import { type ContainerSpec, containerSide } from './container.js';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** Instructions with `\` continuations joined and comments dropped; `line` is the first line. */
export function dockerfileInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!;
    if (/^\s*(#|$)/.test(first)) continue;
    let joined = first;
    const start = i + 1;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      joined = joined.replace(/\\\s*$/, ' ');
      const next = lines[++i]!;
      if (/^\s*#/.test(next)) continue;
      joined += next;
    }
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(joined);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
  }
  return out;
}

function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, a, fallback, b) => {
      const name = (a ?? b) as string;
      return vars.get(name) ?? (fallback as string | undefined) ?? (vars.has(name) ? '' : all);
    },
  );
}

/** `ENV A=1 B="two words"` or the legacy `ENV A 1`. */
function envPairs(args: string): [string, string][] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s+([\s\S]*)$/.exec(args);
    return m ? [[m[1]!, m[2]!]] : [];
  }
  const out: [string, string][] = [];
  for (const word of splitCommandLine(args)) {
    const eq = word.indexOf('=');
    if (eq > 0) out.push([word.slice(0, eq), word.slice(eq + 1)]);
  }
  return out;
}

/** Exec form (`["a","b"]`) or shell form (run through `/bin/sh -c`). */
function commandForm(args: string): string[] {
  if (args.startsWith('[')) {
    try {
      const parsed = JSON.parse(args) as unknown;
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) return parsed as string[];
    } catch {
      // Docker runs a malformed exec form as a shell command, and so do we
    }
  }
  return ['/bin/sh', '-c', args];
}

interface Stage {
  name?: string;
  entrypoint?: string[];
  cmd?: string[];
  commandLine?: number;
  cmdSetHere: boolean;
  env: Map<string, EnvEntry>;
  ports: number[];
  from: string;
  line: number;
}

/** The final stage of a Dockerfile as a container spec (what `docker run IMAGE` starts). */
export function dockerfileSpec(
  text: string,
  file: string,
): { spec: ContainerSpec | undefined; diagnostics: ReaderDiagnostic[] } {
  const diagnostics: ReaderDiagnostic[] = [];
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string>();
  let stage: Stage | undefined;
  let args = new Map<string, string>();
  for (const ins of dockerfileInstructions(text)) {
    switch (ins.keyword) {
      case 'ARG': {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(ins.args);
        if (m)
          (stage ? args : globalArgs).set(
            m[1]!,
            (m[2] ?? globalArgs.get(m[1]!) ?? '').replace(/^"(.*)"$/, '$1'),
          );
        break;
      }
      case 'FROM': {
        const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(ins.args);
        const from = substitute(m?.[1] ?? '', globalArgs);
        const parent = stages.find((s) => s.name !== undefined && s.name === from);
        stage = {
          name: m?.[2],
          entrypoint: parent?.entrypoint,
          cmd: parent?.cmd,
          commandLine: parent?.commandLine,
          cmdSetHere: false,
          env: new Map(parent?.env ?? []),
          ports: [...(parent?.ports ?? [])],
          from,
          line: ins.line,
        };
        stages.push(stage);
        args = new Map();
        break;
      }
      case 'ENV': {
        if (!stage) break;
        const vars = new Map([
          ...globalArgs,
          ...args,
          ...[...stage.env].map(([k, v]) => [k, v.value] as [string, string]),
        ]);
        for (const [k, v] of envPairs(ins.args)) {
          const provenance: Provenance = { kind: 'file', file, line: ins.line };
          stage.env.set(k, {
            value: substitute(v, vars),
            provenance,
            where: `Dockerfile ENV (${file}:${ins.line})`,
          });
        }
        break;
      }
      case 'ENTRYPOINT':
        if (!stage) break;
        stage.entrypoint = commandForm(ins.args);
        // Docker: ENTRYPOINT resets a CMD inherited from the base stage, not one set in this stage.
        if (!stage.cmdSetHere) stage.cmd = undefined;
        stage.commandLine = ins.line;
        break;
      case 'CMD':
        if (!stage) break;
        stage.cmd = commandForm(ins.args);
        stage.cmdSetHere = true;
        stage.commandLine = ins.line;
        break;
      case 'EXPOSE':
        if (!stage) break;
        for (const p of ins.args.split(/\s+/)) {
          const n = Number.parseInt(p, 10);
          if (n > 0) stage.ports.push(n);
        }
        break;
      default:
        break;
    }
  }
  const final = stages[stages.length - 1];
  if (!final) {
    diagnostics.push({ severity: 'error', message: 'no FROM instruction: not a Dockerfile', file });
    return { spec: undefined, diagnostics };
  }
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
  const dirName = dir === '.' ? '' : dir.split('/').pop()!;
  return {
    spec: {
      name: 'dockerfile',
      label: `Dockerfile ${file}`,
      entrypoint: final.entrypoint,
      cmd: final.cmd,
      env: final.env,
      file,
      line: final.line,
      commandLine: final.commandLine,
      ports: final.ports,
      keys: [`dockerfile:${dir}`, ...(dirName ? [`image:${dirName}`] : [])],
      origin: 'Dockerfile',
    },
    diagnostics,
  };
}

export function readDockerfile(input: ReaderInput, backendEnv?: string): ReaderResult {
  const { spec, diagnostics } = dockerfileSpec(input.text, input.file);
  if (!spec) return { sides: [], diagnostics };
  const files = input.includes;
  const { side, diagnostics: d } = containerSide(spec, { files, backendEnv });
  return {
    sides: [side],
    diagnostics: [
      ...diagnostics,
      ...d.map((message) => ({ severity: 'warning' as const, message, file: input.file })),
    ],
  };
}

export const dockerfileReader: ConfigReader = {
  id: 'dockerfile',
  summary: "A Dockerfile: the final stage's ENV, ENTRYPOINT and CMD, read with the server readers",
  roles: ['server'],
  detect: (file, text) =>
    /(^|\/)(Dockerfile|Containerfile)(\.[\w.-]+)?$|\.Dockerfile$/.test(file) && /^\s*FROM\s/im.test(text),
  includes(file, text) {
    // Config files the command names (`-c gunicorn.conf.py`, `-C config/puma.rb`), looked up
    // next to the Dockerfile by their last path parts, and package.json for `npm start`.
    const wanted = new Set<string>();
    for (const ins of dockerfileInstructions(text)) {
      if (ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT') continue;
      const words = commandForm(ins.args).flatMap((w) => (/\s/.test(w) ? splitCommandLine(w) : [w]));
      for (const [i, w] of words.entries()) {
        if (/^(-c|-C|--config)$/.test(w) && words[i + 1])
          wanted.add(
            words[i + 1]!.replace(/^(python|file|toml):/, '').replace(
              /^\/?(app|srv|usr\/src\/app|code|opt\/app)\//,
              '',
            ),
          );
        if (/^(npm|yarn|pnpm)$/.test(w)) wanted.add('package.json');
      }
    }
    void file;
    return [...wanted].filter((w) => !w.startsWith('/'));
  },
  read: (input) => readDockerfile(input),
};
