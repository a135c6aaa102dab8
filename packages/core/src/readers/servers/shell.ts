/**
 * Command lines as deployments write them: a Procfile line, a Dockerfile `CMD` in shell form, a
 * Kubernetes `command` + `args`, an ECS `entryPoint` + `command`, `/proc/PID/cmdline`.
 * Pure: splitting follows POSIX shell quoting closely enough for server command lines; nothing is
 * expanded or executed.
 */

/** Splits one shell command line into words (single/double quotes, backslash escapes). */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) current += text[++i];
      else current += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      if (next !== '\n') {
        current += next;
        inWord = true;
      }
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else if (c === ';' || c === '&' || c === '|') {
      // Control operators end a word and are words of their own (`a && b`, `a; b`).
      if (inWord) words.push(current);
      let op = c;
      if ((c === '&' || c === '|') && text[i + 1] === c) op += text[++i];
      words.push(op);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

const CONTROL = new Set([';', '&&', '||', '|', '&']);

/** Environment assignments written before a command (`FOO=1 gunicorn ...`, `env FOO=1 ...`). */
export interface InlineAssignment {
  readonly name: string;
  readonly value: string;
}

export interface NormalizedCommand {
  /** The server's own argv, starting with its program name (`gunicorn`, `uvicorn`, `next`, `node`). */
  readonly argv: readonly string[];
  /** `FOO=1` assignments and `env FOO=1` prefixes found before the command. */
  readonly assignments: readonly InlineAssignment[];
  /** Wrappers stripped on the way (`sh -c`, `exec`, `python -m`, `tini --`), for notes. */
  readonly wrappers: readonly string[];
}

const PASS_THROUGH = new Set([
  'exec',
  'tini',
  'dumb-init',
  'gosu-exec',
  'nohup',
  'time',
  'doppler-run',
  'ddtrace-run',
  'newrelic-admin',
  'opentelemetry-instrument',
]);

function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

/** The program name of a word, without directory and version suffix (`/usr/bin/python3.11` → `python`). */
export function programName(word: string): string {
  return baseName(word)
    .replace(/\.exe$/, '')
    .replace(/^(python|node|ruby)[\d.]*$/, '$1');
}

/**
 * Splits a command at control operators and returns the segments, each a word list. Shell-form
 * commands that chain a migration before the server (`manage.py migrate && gunicorn app`) keep
 * the server segment.
 */
function segments(words: readonly string[]): string[][] {
  const out: string[][] = [[]];
  for (const w of words) {
    if (CONTROL.has(w)) out.push([]);
    else out[out.length - 1]!.push(w);
  }
  return out.filter((s) => s.length > 0);
}

/**
 * Strips wrappers around a server command: `sh -c "..."` (re-split), `exec`, `env A=B`, `A=B`
 * prefixes, `tini --`, `python -m MODULE`, `python /usr/bin/gunicorn`, `bundle exec`, `npx`,
 * `node node_modules/.bin/next`. Returns one candidate per shell segment, the last first (the
 * server usually runs last in a chain).
 */
export function normalizeCommand(argv: readonly string[]): NormalizedCommand[] {
  const results: NormalizedCommand[] = [];
  const visit = (words: readonly string[], wrappers: string[], depth: number) => {
    for (const segment of segments(words).reverse()) {
      const assignments: InlineAssignment[] = [];
      const seen = [...wrappers];
      let rest = [...segment];
      let changed = true;
      let rounds = 0;
      while (changed && rest.length > 0 && rounds++ < 16) {
        changed = false;
        const head = rest[0]!;
        const name = programName(head);
        const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(head);
        if (assignment) {
          assignments.push({ name: assignment[1]!, value: assignment[2]! });
          rest = rest.slice(1);
          changed = true;
        } else if (
          (name === 'sh' || name === 'bash' || name === 'ash' || name === 'dash') &&
          rest.length > 1
        ) {
          const c = rest.indexOf('-c');
          const flags = rest.slice(1, c < 0 ? 1 : c).every((w) => w.startsWith('-'));
          if (c > 0 && flags && rest[c + 1] !== undefined && depth < 4) {
            visit(splitCommandLine(rest[c + 1]!), [...seen, `${name} -c`], depth + 1);
            rest = [];
          }
        } else if (name === 'env') {
          rest = rest.slice(1);
          while (rest[0]?.startsWith('-')) rest = rest.slice(rest[0] === '-u' ? 2 : 1);
          seen.push('env');
          changed = true;
        } else if (PASS_THROUGH.has(name)) {
          seen.push(name);
          rest = rest.slice(1);
          if (name === 'tini' || name === 'dumb-init') {
            while (rest[0]?.startsWith('-') && rest[0] !== '--') rest = rest.slice(1);
          }
          if (rest[0] === '--') rest = rest.slice(1);
          changed = true;
        } else if (name === 'bundle' && rest[1] === 'exec') {
          seen.push('bundle exec');
          rest = rest.slice(2);
          changed = true;
        } else if (name === 'npx' || name === 'pnpx' || name === 'bunx') {
          seen.push(name);
          rest = rest.slice(1);
          while (rest[0]?.startsWith('-')) rest = rest.slice(1);
          changed = true;
        } else if ((name === 'poetry' || name === 'pipenv' || name === 'uv') && rest[1] === 'run') {
          seen.push(`${name} run`);
          rest = rest.slice(2);
          changed = true;
        } else if (name === 'python') {
          let i = 1;
          while (rest[i]?.startsWith('-') && rest[i] !== '-m')
            i += rest[i] === '-X' || rest[i] === '-W' ? 2 : 1;
          if (rest[i] === '-m' && rest[i + 1]) {
            seen.push(`python -m ${rest[i + 1]}`);
            rest = [rest[i + 1]!, ...rest.slice(i + 2)];
            changed = true;
          } else if (rest[i] && /(^|\/)(gunicorn|uvicorn|hypercorn)$/.test(rest[i]!)) {
            seen.push('python');
            rest = rest.slice(i);
            changed = true;
          }
        } else if (name === 'node' || name === 'bun') {
          const script = rest.slice(1).find((w) => !w.startsWith('-'));
          if (script && /(^|\/)(\.bin\/next|next\/dist\/bin\/next)$/.test(script)) {
            seen.push(name);
            rest = rest.slice(rest.indexOf(script));
            changed = true;
          }
        }
      }
      if (rest.length > 0) results.push({ argv: rest, assignments, wrappers: seen });
    }
  };
  visit(argv, [], 0);
  return results;
}

/**
 * Reads long and short options from an argv: `--flag value`, `--flag=value`, `-k value`, `-kvalue`.
 * The last occurrence wins, as in argparse/click.
 */
export function optionValue(
  argv: readonly string[],
  names: readonly string[],
): { readonly flag: string; readonly value: string } | undefined {
  let found: { flag: string; value: string } | undefined;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') break;
    for (const name of names) {
      if (word === name && i + 1 < argv.length) {
        found = { flag: name, value: argv[i + 1]! };
      } else if (name.startsWith('--') && word.startsWith(`${name}=`)) {
        found = { flag: name, value: word.slice(name.length + 1) };
      } else if (
        /^-[A-Za-z]$/.test(name) &&
        word.startsWith(name) &&
        word.length > 2 &&
        !word.startsWith('--')
      ) {
        found = { flag: name, value: word.slice(2) };
      }
    }
  }
  return found;
}

/** True when an argv holds a boolean flag. */
export function hasFlag(argv: readonly string[], names: readonly string[]): boolean {
  return argv.slice(1).some((w) => names.includes(w));
}
