import type { Fact, Provenance } from '../../facts.js';
import { durationOrDiagnostic } from '../diagnostics.js';
import {
  type ConfigReader,
  type ReaderDiagnostic,
  type ReaderInput,
  type ReaderResult,
  type ReadSide,
  tagDiagnostics,
} from '../types.js';

/** One configuration line: keyword + arguments (quotes and escapes resolved), with its line. */
interface Line {
  readonly words: readonly string[];
  readonly line: number;
  /** The `.if` condition(s) the line sits under (HAProxy 2.4+ conditional blocks), when any. */
  readonly condition?: string | undefined;
}

interface Section {
  readonly kind: 'global' | 'defaults' | 'frontend' | 'backend' | 'listen' | 'other';
  readonly name: string;
  readonly line: number;
  readonly lines: Line[];
  /** `defaults` this section takes its settings from (the last one before it, or `from NAME`). */
  readonly defaults?: Section | undefined;
}

const SECTION_KEYWORDS = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'peers',
  'resolvers',
  'userlist',
  'mailers',
  'cache',
  'program',
  'http-errors',
  'ring',
  'log-forward',
  'fcgi-app',
  'crt-store',
  'traces',
]);

/** HAProxy's line lexer: `#` comments, "double" (with escapes) and 'single' quotes, `\ ` escapes. */
function splitWords(text: string, file: string, line: number, diagnostics: ReaderDiagnostic[]): string[] {
  const words: string[] = [];
  let current = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += ch;
      continue;
    }
    if (ch === '#') break;
    if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
      has = true;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      if (has) words.push(current);
      current = '';
      has = false;
      continue;
    }
    current += ch;
    has = true;
  }
  if (quote) diagnostics.push({ severity: 'error', message: `unmatched quote (${quote})`, file, line });
  if (has) words.push(current);
  return words;
}

function parseSections(input: ReaderInput, diagnostics: ReaderDiagnostic[]): Section[] {
  const sections: Section[] = [];
  const named = new Map<string, Section>();
  let lastDefaults: Section | undefined;
  let current: Section | undefined;
  const conditions: string[] = [];
  input.text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const words = splitWords(raw, input.file, lineNo, diagnostics);
    if (words.length === 0) return;
    const keyword = words[0]!;
    // `.if COND` … `.elif` / `.else` … `.endif`: what the lines inside set depends on COND at startup.
    if (keyword === '.if') {
      conditions.push(`.if ${words.slice(1).join(' ')}`);
      return;
    }
    if (keyword === '.elif' || keyword === '.else') {
      conditions[conditions.length - 1] = `${keyword} ${words.slice(1).join(' ')}`.trim();
      return;
    }
    if (keyword === '.endif') {
      conditions.pop();
      return;
    }
    if (/^(<<|\{\{|\{%)/.test(keyword) || /\{\{.*\}\}/.test(raw)) {
      // A template (Jinja, Go, a project's own `<<...>>`): HAProxy refuses the line as it is.
      diagnostics.push({
        severity: 'warning',
        message: `line is a template placeholder (${JSON.stringify(raw.trim().slice(0, 60))}), not HAProxy syntax: what it renders to is not known; read the rendered configuration`,
        file: input.file,
        line: lineNo,
      });
      if (/^(<<|\{\{|\{%)/.test(keyword)) return;
    }
    if (SECTION_KEYWORDS.has(keyword)) {
      const kind = (
        ['global', 'defaults', 'frontend', 'backend', 'listen'].includes(keyword) ? keyword : 'other'
      ) as Section['kind'];
      const name = words[1] && words[1] !== 'from' ? words[1] : '';
      if ((kind === 'frontend' || kind === 'backend' || kind === 'listen') && !name) {
        diagnostics.push({
          severity: 'error',
          message: `"${keyword}" needs a name`,
          file: input.file,
          line: lineNo,
        });
      }
      const fromAt = words.indexOf('from');
      let defaults = kind === 'defaults' || kind === 'global' ? undefined : lastDefaults;
      if (fromAt > 0) {
        const wanted = words[fromAt + 1] ?? '';
        defaults = named.get(`defaults ${wanted}`);
        if (!defaults) {
          diagnostics.push({
            severity: 'error',
            message: `defaults section "${wanted}" not found`,
            file: input.file,
            line: lineNo,
          });
        }
      }
      // A `defaults` section can itself inherit (`defaults b from a`).
      if (kind === 'defaults' && fromAt > 0) defaults = named.get(`defaults ${words[fromAt + 1] ?? ''}`);
      current = { kind, name, line: lineNo, lines: [], defaults };
      sections.push(current);
      if (kind === 'defaults') {
        lastDefaults = current;
        if (name) named.set(`defaults ${name}`, current);
      }
      return;
    }
    if (!current) {
      diagnostics.push({
        severity: 'error',
        message: `"${keyword}" is outside any section (global, defaults, frontend, backend, listen)`,
        file: input.file,
        line: lineNo,
      });
      return;
    }
    const condition = conditions.length > 0 ? conditions.join(' and ') : undefined;
    current.lines.push({ words, line: lineNo, condition });
  });
  return sections;
}

/** The last line in a section (then its defaults chain) whose words start with `prefix`. */
function lookup(
  section: Section | undefined,
  ...prefix: string[]
): { line: Line; section: Section } | undefined {
  for (let s = section; s; s = s.defaults) {
    for (let i = s.lines.length - 1; i >= 0; i--) {
      const l = s.lines[i]!;
      if (prefix.every((p, k) => l.words[k] === p)) return { line: l, section: s };
    }
  }
  return undefined;
}

/** HAProxy's HTTP connection modes: keep-alive (the default), server-close, close. */
type HttpMode = 'http-keep-alive' | 'http-server-close' | 'httpclose';

const MODE_OPTIONS: Readonly<Record<string, HttpMode>> = {
  'http-keep-alive': 'http-keep-alive',
  'http-server-close': 'http-server-close',
  httpclose: 'httpclose',
  // Removed in 2.0; an alias of httpclose before that.
  forceclose: 'httpclose',
};

/**
 * The HTTP connection mode a section ends up with. The three `option` lines are one setting: each
 * "disables and replaces any previous" one (HAProxy configuration manual, `option http-server-close`,
 * `option httpclose`, `option http-keep-alive`), so the last line wins, the defaults section's lines
 * first (a proxy starts from a copy of its defaults). `no option X` returns to keep-alive only when X
 * is the mode in force.
 */
function httpMode(
  section: Section,
  withConditional = true,
): { mode: HttpMode; line?: Line | undefined; conditional?: Line | undefined } {
  const chain: Section[] = [];
  for (let s: Section | undefined = section; s; s = s.defaults) chain.unshift(s);
  let state: { mode: HttpMode; line?: Line | undefined } = { mode: 'http-keep-alive' };
  for (const s of chain) {
    for (const l of s.lines) {
      const negated = l.words[0] === 'no';
      const words = negated ? l.words.slice(1) : l.words;
      const mode = words[0] === 'option' ? MODE_OPTIONS[words[1] ?? ''] : undefined;
      if (!mode || (!withConditional && l.condition)) continue;
      if (!negated) state = { mode, line: l };
      else if (state.mode === mode) state = { mode: 'http-keep-alive', line: l };
    }
  }
  if (!withConditional) return state;
  // A mode line under `.if`: the mode with and without it may differ; say which line decides.
  const without = httpMode(section, false);
  return without.mode === state.mode ? state : { ...state, conditional: conditionalLine(section) };
}

/** The first mode line of the chain that sits under an `.if` (for the note). */
function conditionalLine(section: Section): Line | undefined {
  for (let s: Section | undefined = section; s; s = s.defaults) {
    const found = s.lines.find(
      (l) => l.condition && l.words.includes('option') && MODE_OPTIONS[l.words.at(-1) ?? ''],
    );
    if (found) return found;
  }
  return undefined;
}

/** `mode tcp` (the default when no `mode` line says otherwise): no HTTP processing at all. */
function proxyMode(section: Section): 'http' | 'tcp' {
  return lookup(section, 'mode')?.line.words[1] === 'http' ? 'http' : 'tcp';
}

/** `"${KEEPALIVE}"`: HAProxy expands environment variables in double-quoted words at startup. */
const ENV_REFERENCE = /\$\{?[A-Za-z_]/;

function at(input: ReaderInput, line: number): Provenance {
  return { kind: 'file', file: input.file, line };
}

function time(
  text: string,
  input: ReaderInput,
  line: number,
  field: string,
  diagnostics: ReaderDiagnostic[],
): { ms: number; text: string } | undefined {
  return durationOrDiagnostic(text, 'haproxy', { file: input.file, line, field }, diagnostics);
}

/** A `server`/`default-server` keyword's value: `server s1 10.0.0.1:80 max-reuse 100`. */
function serverParam(section: Section, keyword: string): { value: string; line: number } | undefined {
  for (const l of section.lines) {
    if (l.words[0] !== 'server') continue;
    const i = l.words.indexOf(keyword);
    if (i >= 0 && l.words[i + 1] !== undefined) return { value: l.words[i + 1]!, line: l.line };
  }
  for (let s: Section | undefined = section; s; s = s.defaults) {
    for (const l of s.lines) {
      if (l.words[0] !== 'default-server') continue;
      const i = l.words.indexOf(keyword);
      if (i >= 0 && l.words[i + 1] !== undefined) return { value: l.words[i + 1]!, line: l.line };
    }
  }
  return undefined;
}

const NO_IDLE_TIMER_NOTE =
  'HAProxy keeps idle server connections with no per-connection idle timer: a pooled connection waits until it is reused, purged (pool-purge-delay trims surplus idle connections by demand, not by age) or closed by the server. Any backend keep-alive is shorter than that, so the rule cannot hold by raising a value; what protects requests is the reuse policy and retry-on';

/**
 * The frontends that route to a backend by name (`default_backend`, `use_backend`): HAProxy applies
 * the stronger of the frontend's and the backend's connection mode (configuration manual, section 4).
 */
function frontendsOf(backend: Section, sections: readonly Section[]): Section[] {
  return sections.filter(
    (s) =>
      s.kind === 'frontend' &&
      s.lines.some(
        (l) =>
          (l.words[0] === 'default_backend' || l.words[0] === 'use_backend') && l.words[1] === backend.name,
      ),
  );
}

function readBackend(
  section: Section,
  input: ReaderInput,
  diagnostics: ReaderDiagnostic[],
  sections: readonly Section[] = [],
): ReadSide {
  const facts: Fact[] = [];
  const notes0: string[] = [];
  const reuse = lookup(section, 'http-reuse');
  const reuseMode = reuse?.line.words[1] ?? 'safe';
  let mode = httpMode(section);
  const frontends = section.kind === 'backend' ? frontendsOf(section, sections) : [];
  const closing = frontends.map((f) => ({ f, m: httpMode(f) })).filter((x) => x.m.mode !== 'http-keep-alive');
  if (mode.mode === 'http-keep-alive' && frontends.length > 0 && closing.length === frontends.length)
    mode = closing[0]!.m;
  else if (closing.length > 0 && mode.mode === 'http-keep-alive')
    notes0.push(
      `requests through frontend ${closing.map((x) => `${x.f.name} (option ${x.m.mode})`).join(', ')} do not reuse server connections; the others do`,
    );
  const maxReuse = serverParam(section, 'max-reuse');
  const poolMax = serverParam(section, 'pool-max-conn');
  const purge = serverParam(section, 'pool-purge-delay');
  const timeoutServer = lookup(section, 'timeout', 'server');
  const notes: string[] = [NO_IDLE_TIMER_NOTE, ...notes0];
  notes.push(
    reuse
      ? `http-reuse ${reuseMode} (${input.file}:${reuse.line.line})`
      : 'http-reuse safe (the default since 1.9): the first request of a client connection never goes on a reused idle connection',
  );
  if (purge) {
    const t = time(purge.value, input, purge.line, 'pool-purge-delay', diagnostics);
    if (t)
      notes.push(
        `pool-purge-delay ${t.text} (${input.file}:${purge.line}) trims surplus idle connections every ${t.ms} ms; it is not an idle-age limit`,
      );
  }
  if (timeoutServer) {
    const t = time(
      timeoutServer.line.words[2] ?? '',
      input,
      timeoutServer.line.line,
      'timeout server',
      diagnostics,
    );
    if (t) notes.push(`timeout server ${t.text} bounds waiting for a response, not idle pooled connections`);
  }
  let disabled: { text: string; line: number } | undefined;
  if (proxyMode(section) === 'tcp')
    disabled = { text: 'mode tcp', line: lookup(section, 'mode')?.line.line ?? section.line };
  else if (mode.mode !== 'http-keep-alive')
    disabled = { text: `option ${mode.mode}`, line: mode.line?.line ?? section.line };
  else if (maxReuse?.value === '0') disabled = { text: 'max-reuse 0', line: maxReuse.line };
  else if (poolMax?.value === '0' && reuseMode !== 'never')
    disabled = { text: 'pool-max-conn 0', line: poolMax.line };
  const reuseUncertain =
    mode.conditional !== undefined &&
    (mode.mode === 'http-keep-alive') !== (httpMode(section, false).mode === 'http-keep-alive');
  if (reuseUncertain && proxyMode(section) === 'http') {
    const line = mode.conditional!;
    facts.push({
      subject: 'pool-idle',
      value: { type: 'unset' },
      product: 'haproxy',
      setting: line.words.join(' '),
      provenance: at(input, line.line),
      notes: [
        `${line.words.join(' ')} applies only under ${line.condition} (a condition HAProxy evaluates at startup): whether server connections are reused is not known from the file`,
      ],
    });
  } else if (disabled) {
    facts.push({
      subject: 'pool-idle',
      value: { type: 'disabled', text: disabled.text },
      product: 'haproxy',
      setting: disabled.text.split(' ').slice(0, -1).join(' ') || disabled.text,
      provenance: at(input, disabled.line),
      notes: [
        disabled.text === 'mode tcp'
          ? 'mode tcp: each client connection gets its own server connection, nothing is pooled or reused'
          : 'server connections are closed after each response, so no idle connection is reused',
      ],
    });
  } else {
    if (reuseMode === 'never') {
      notes.push(
        'http-reuse never: idle server connections are not shared between client connections, but each client connection still reuses its own server connection between its requests',
      );
    }
    facts.push({
      subject: 'pool-idle',
      value: { type: 'unbounded', text: 'no idle timer on pooled server connections' },
      product: 'haproxy',
      setting: 'server connection pool: no idle timer',
      provenance: at(input, section.line),
      notes,
    });
  }
  if (maxReuse && maxReuse.value !== '0') {
    if (/^-?\d+$/.test(maxReuse.value)) {
      if (maxReuse.value !== '-1') {
        facts.push({
          subject: 'max-requests-per-connection',
          value: { type: 'count', count: Number(maxReuse.value), text: maxReuse.value },
          product: 'haproxy',
          setting: 'max-reuse',
          provenance: at(input, maxReuse.line),
        });
      }
    } else {
      diagnostics.push({
        severity: 'error',
        message: `max-reuse needs a number, got ${JSON.stringify(maxReuse.value)}`,
        file: input.file,
        line: maxReuse.line,
        field: 'max-reuse',
      });
    }
  }
  // Retries: `retries` (default 3) on `retry-on` events (default conn-failure).
  const retries = lookup(section, 'retries');
  const retryOn = lookup(section, 'retry-on');
  let count = 3;
  if (retries) {
    const text = retries.line.words[1] ?? '';
    if (/^\d+$/.test(text)) count = Number(text);
    else
      diagnostics.push({
        severity: 'error',
        message: `retries needs a number, got ${JSON.stringify(text)}`,
        file: input.file,
        line: retries.line.line,
        field: 'retries',
      });
  }
  const on = retryOn ? retryOn.line.words.slice(1) : ['conn-failure'];
  const none = on.includes('none') || count === 0;
  const coversStale = on.includes('empty-response') || on.includes('all-retryable-errors');
  facts.push({
    subject: 'retry-policy',
    value: {
      type: 'retry',
      on: none ? [] : on,
      idempotentOnly: true,
      text: none
        ? `off (retries ${count}, retry-on ${on.join(' ')})`
        : `retry-on ${on.join(' ')}, retries ${count}`,
    },
    product: 'haproxy',
    setting: 'retries / retry-on',
    provenance: retryOn
      ? at(input, retryOn.line.line)
      : retries
        ? at(input, retries.line.line)
        : at(input, section.line),
    isDefault: !retryOn && !retries,
    notes:
      none || coversStale
        ? []
        : [
            'retry-on without empty-response does not cover a pooled connection the server closed (a request written to it gets no response): measured, retries 3 alone still let most races through; add `retry-on conn-failure empty-response response-timeout`',
          ],
  });
  const targets = section.lines.filter((l) => l.words[0] === 'server').map((l) => l.words[2] ?? '');
  return {
    role: 'pool',
    name: section.name,
    label: `HAProxy backend ${section.name}`,
    product: 'haproxy',
    facts,
    targets,
  };
}

function readFrontend(section: Section, input: ReaderInput, diagnostics: ReaderDiagnostic[]): ReadSide {
  const facts: Fact[] = [];
  const mode = httpMode(section);
  const keepAlive = lookup(section, 'timeout', 'http-keep-alive');
  const request = lookup(section, 'timeout', 'http-request');
  const client = lookup(section, 'timeout', 'client');
  const chosen = keepAlive ?? request ?? client;
  const closeUncertain =
    mode.conditional !== undefined &&
    (mode.mode === 'httpclose') !== (httpMode(section, false).mode === 'httpclose');
  if (closeUncertain || (mode.mode !== 'httpclose' && chosen?.line.condition)) {
    const line = closeUncertain ? mode.conditional! : chosen!.line;
    facts.push({
      subject: 'server-keepalive',
      value: { type: 'unset' },
      product: 'haproxy',
      setting: line.words.slice(0, 2).join(' '),
      provenance: at(input, line.line),
      notes: [
        `${line.words.join(' ')} applies only under ${line.condition} (a condition HAProxy evaluates at startup), so the value is not known from the file`,
      ],
    });
  } else if (mode.mode === 'httpclose') {
    facts.push({
      subject: 'server-keepalive',
      value: { type: 'disabled', text: 'option httpclose' },
      product: 'haproxy',
      setting: 'option httpclose',
      provenance: at(input, mode.line?.line ?? section.line),
    });
  } else if (chosen && ENV_REFERENCE.test(chosen.line.words[2] ?? '')) {
    facts.push({
      subject: 'server-keepalive',
      value: { type: 'unset' },
      product: 'haproxy',
      setting: chosen.line.words.slice(0, 2).join(' '),
      provenance: at(input, chosen.line.line),
      notes: [
        `${chosen.line.words.slice(0, 2).join(' ')} is ${JSON.stringify(chosen.line.words[2])}: an environment variable HAProxy expands at startup, not known from the file; give the value (--backend 65s) or the environment`,
      ],
    });
  } else if (chosen) {
    const setting = chosen.line.words.slice(0, 2).join(' ');
    const t = time(chosen.line.words[2] ?? '', input, chosen.line.line, setting, diagnostics);
    if (t) {
      facts.push({
        subject: 'server-keepalive',
        value: { type: 'duration', ms: t.ms, text: t.text },
        product: 'haproxy',
        setting,
        unit: 'HAProxy time (bare number = ms)',
        provenance: at(input, chosen.line.line),
        notes: keepAlive ? [] : [`no timeout http-keep-alive: HAProxy falls back to ${setting}`],
      });
    }
  } else {
    facts.push({
      subject: 'server-keepalive',
      value: { type: 'unbounded', text: 'no timeout http-keep-alive, http-request or client' },
      product: 'haproxy',
      setting: 'timeout http-keep-alive',
      provenance: at(input, section.line),
      notes: ['HAProxy warns at startup when timeout client is missing'],
    });
  }
  const targets = section.lines.filter((l) => l.words[0] === 'bind').map((l) => l.words[1] ?? '');
  return {
    role: 'server',
    name: section.name,
    label: `HAProxy frontend ${section.name}`,
    product: 'haproxy',
    facts,
    targets,
  };
}

/** Reads an HAProxy configuration: backends (client pools) and frontends (server side). */
export function readHaproxy(input: ReaderInput): ReaderResult {
  const diagnostics: ReaderDiagnostic[] = [];
  const sections = parseSections(input, diagnostics);
  // Every timeout is checked, also those no side uses (HAProxy refuses the whole file).
  // A bad line in a backend or frontend concerns that side; in defaults or global, every side.
  for (const section of sections) {
    const from = diagnostics.length;
    for (const l of section.lines) {
      if (l.words[0] === 'timeout' && l.words.length >= 3 && !ENV_REFERENCE.test(l.words[2]!))
        time(l.words[2]!, input, l.line, `timeout ${l.words[1]}`, diagnostics);
    }
    if (section.kind === 'backend' || section.kind === 'frontend' || section.kind === 'listen')
      tagDiagnostics(diagnostics, from, section.name);
  }
  const sides: ReadSide[] = [];
  for (const section of sections) {
    const from = diagnostics.length;
    if (section.kind === 'backend' || section.kind === 'listen')
      sides.push(readBackend(section, input, diagnostics, sections));
    // A `mode tcp` frontend speaks no HTTP: it has no keep-alive of its own to report.
    if ((section.kind === 'frontend' || section.kind === 'listen') && proxyMode(section) === 'http')
      sides.push(readFrontend(section, input, diagnostics));
    // What a section inherits from defaults is about the defaults line, so about every side.
    for (let i = from; i < diagnostics.length; i++) {
      const d = diagnostics[i]!;
      if (
        d.line !== undefined &&
        d.line >= section.line &&
        d.line <= (section.lines.at(-1)?.line ?? section.line)
      )
        diagnostics[i] = { ...d, side: section.name };
    }
  }
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = `${d.line}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { sides, diagnostics: unique };
}

export const haproxyReader: ConfigReader = {
  id: 'haproxy',
  summary:
    'HAProxy configuration: backends (http-reuse, pool-purge-delay, max-reuse, retries, retry-on) and frontends (timeout http-keep-alive)',
  roles: ['pool', 'server'],
  folderFiles: /\.cfg$/i,
  // A section header alone on its line (`backend be_app`), and no nginx-style `... {` / `...;` lines.
  detect: (file, text) =>
    /^\s*(frontend|backend|listen)\s+[^\s;{]+\s*(#.*)?$/m.test(text) &&
    (/haproxy/i.test(file) || !/^[^#\n]*[;{]\s*$/m.test(text)),
  read: readHaproxy,
};
