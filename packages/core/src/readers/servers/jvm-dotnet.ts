import { parseAllDocuments } from 'yaml';
import { parseDuration } from '../../duration/syntaxes.js';
import { isKeepaliveParityError } from '../../errors.js';
import type { Fact, FactValue } from '../../facts.js';
import type { ConfigReader, ReaderDiagnostic, ReadSide } from '../types.js';
import {
  type Candidate,
  commandCandidate,
  defaultKeepAliveFact,
  envCandidate,
  fileCandidate,
  keepAliveFact,
  portsFrom,
  unknownKeepAliveFact,
} from './facts.js';
import { programName } from './shell.js';
import type { ServerContext, ServerInterpreter, ServerReading } from './types.js';

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Blanks XML comments, keeping offsets (and so line numbers) intact. */
function blankXmlComments(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
}

// ---------------------------------------------------------------- Tomcat server.xml

/**
 * Tomcat's `server.xml`: one side per HTTP `<Connector>`. `keepAliveTimeout` (ms; -1 = no limit)
 * defaults to the connector's `connectionTimeout`, whose code default is 60000 ms (the stock
 * server.xml sets 20000). `maxKeepAliveRequests="1"` turns keep-alive off. AJP connectors are
 * skipped.
 */
export function readTomcatServerXml(
  text: string,
  file: string,
): { sides: ReadSide[]; diagnostics: ReaderDiagnostic[] } {
  const clean = blankXmlComments(text);
  const sides: ReadSide[] = [];
  const diagnostics: ReaderDiagnostic[] = [];
  for (const m of clean.matchAll(/<Connector\b([^>]*?)\/?>/g)) {
    const attrs = new Map<string, { value: string; line: number }>();
    const start = m.index ?? 0;
    for (const a of m[1]!.matchAll(/([A-Za-z][\w.-]*)\s*=\s*(["'])(.*?)\2/g)) {
      attrs.set(a[1]!, { value: a[3]!, line: lineAt(clean, start + 10 + (a.index ?? 0)) });
    }
    const protocol = attrs.get('protocol')?.value ?? 'HTTP/1.1';
    if (/AJP/i.test(protocol)) continue;
    const port = attrs.get('port')?.value ?? '8080';
    const line = lineAt(clean, start);
    const name = `Connector port ${port}`;
    let fact: Fact | undefined;
    const attributeValue = (attr: string): FactValue | undefined => {
      const a = attrs.get(attr);
      if (!a) return undefined;
      if (a.value.trim() === '-1') return { type: 'unbounded', text: '-1 (no limit)' };
      try {
        const d = parseDuration(a.value, {
          syntax: 'integer-milliseconds',
          location: { file, line: a.line, field: attr },
        });
        return { type: 'duration', ms: d.ms, text: d.text };
      } catch (error) {
        if (!isKeepaliveParityError(error)) throw error;
        diagnostics.push({ severity: 'error', message: error.message, file, line: a.line, field: attr });
        // `keepAliveTimeout="${ka.timeout}"` (a catalina.properties / -D substitution): in force but
        // not readable here, so neither the next attribute nor the default is the value.
        return { type: 'unset' };
      }
    };
    const maxRequests = attrs.get('maxKeepAliveRequests');
    if (maxRequests?.value.trim() === '1') {
      fact = {
        subject: 'server-keepalive',
        value: { type: 'disabled', text: 'maxKeepAliveRequests="1"' },
        product: 'tomcat',
        setting: 'maxKeepAliveRequests',
        provenance: { kind: 'file', file, line: maxRequests.line },
        notes: ['maxKeepAliveRequests="1" turns keep-alive off: every response closes its connection'],
      };
    } else {
      const keepAlive = attributeValue('keepAliveTimeout');
      const connection = keepAlive ? undefined : attributeValue('connectionTimeout');
      if (keepAlive) {
        fact = {
          subject: 'server-keepalive',
          value: keepAlive,
          product: 'tomcat',
          setting: 'keepAliveTimeout',
          unit: 'milliseconds',
          provenance: { kind: 'file', file, line: attrs.get('keepAliveTimeout')!.line },
          notes:
            keepAlive.type === 'unset'
              ? [
                  `keepAliveTimeout="${attrs.get('keepAliveTimeout')!.value}" is not a value this tool can read`,
                ]
              : undefined,
        };
      } else if (connection) {
        fact = {
          subject: 'server-keepalive',
          value: connection,
          product: 'tomcat',
          setting: 'connectionTimeout',
          unit: 'milliseconds',
          provenance: { kind: 'file', file, line: attrs.get('connectionTimeout')!.line },
          notes: [
            "keepAliveTimeout is not set, so Tomcat uses the connector's connectionTimeout for it",
            ...(connection.type === 'unset'
              ? [
                  `connectionTimeout="${attrs.get('connectionTimeout')!.value}" is not a value this tool can read`,
                ]
              : []),
          ],
        };
      } else {
        fact = defaultKeepAliveFact(
          'tomcat',
          `${file}:${line}: the connector sets neither keepAliveTimeout nor connectionTimeout, so Tomcat's code default applies`,
        );
      }
    }
    const facts: Fact[] = [fact];
    if (maxRequests && maxRequests.value.trim() !== '1' && /^-?\d+$/.test(maxRequests.value.trim())) {
      const n = Number(maxRequests.value.trim());
      facts.push({
        subject: 'max-requests-per-connection',
        value:
          n < 0
            ? { type: 'unbounded', text: maxRequests.value }
            : { type: 'count', count: n, text: maxRequests.value },
        product: 'tomcat',
        setting: 'maxKeepAliveRequests',
        provenance: { kind: 'file', file, line: maxRequests.line },
      });
    }
    sides.push({ role: 'server', name, label: `Tomcat ${name}`, product: 'tomcat', facts, targets: [port] });
  }
  return { sides, diagnostics };
}

export const tomcatReader: ConfigReader = {
  id: 'tomcat',
  summary: 'Apache Tomcat server.xml: keepAliveTimeout (else connectionTimeout) of each HTTP Connector',
  roles: ['server'],
  detect: (file, text) => /(^|\/)server\.xml$/.test(file) && /<Connector\b/.test(text),
  read: (input) => readTomcatServerXml(input.text, input.file),
};

// ---------------------------------------------------------------- Spring Boot

const SPRING_KEYS = [
  'server.tomcat.keep-alive-timeout',
  'server.tomcat.keepAliveTimeout',
  'server.tomcat.keep_alive_timeout',
];
const SPRING_CONNECTION_KEYS = ['server.tomcat.connection-timeout', 'server.tomcat.connectionTimeout'];

interface FoundProperty {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/** `key=value` / `key: value` properties, and nested YAML flattened to dotted keys. */
export function readSpringProperties(text: string, file: string): Map<string, FoundProperty> {
  const out = new Map<string, FoundProperty>();
  if (/\.ya?ml$/.test(file)) {
    const lineStarts: number[] = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
    const lineOf = (offset: number) => {
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo + 1;
    };
    for (const doc of parseAllDocuments(text)) {
      if ('errors' in doc && doc.errors.length > 0) continue;
      // biome-ignore lint/suspicious/noExplicitAny: walking untyped YAML nodes
      const walk = (node: any, prefix: string) => {
        if (!node || !Array.isArray(node.items)) return;
        for (const pair of node.items) {
          const key = pair?.key?.value;
          if (key === undefined) continue;
          const full = prefix ? `${prefix}.${key}` : String(key);
          if (pair.value && Array.isArray(pair.value.items)) walk(pair.value, full);
          else if (pair.value && 'value' in pair.value)
            out.set(full, {
              key: full,
              value: String(pair.value.value),
              line: lineOf(pair.value.range?.[0] ?? 0),
            });
        }
      };
      walk(doc.contents, '');
    }
    return out;
  }
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const m = /^\s*([A-Za-z0-9_.\-[\]]+)\s*[=:]\s*(.*?)\s*$/.exec(raw);
    if (m && !raw.trim().startsWith('#') && !raw.trim().startsWith('!'))
      out.set(m[1]!, { key: m[1]!, value: m[2]!, line: index + 1 });
  }
  return out;
}

/** Spring Boot's `Duration` conversion: `75s`, `PT75S`, a bare number is milliseconds. */
const SPRING_DURATION = {
  syntax: 'plain' as const,
  defaultUnit: 'ms' as const,
  unit: 'Spring Boot Duration (bare number = ms)',
};

function springCandidates(files: ReadonlyMap<string, string>, keys: readonly string[]): Candidate[] {
  const out: Candidate[] = [];
  // application-PROFILE files override application.*; both are read, the profile one first.
  const paths = [...files.keys()].filter((p) => /(^|\/)application(-[\w-]+)?\.(properties|ya?ml)$/.test(p));
  paths.sort((a, b) => Number(/application-/.test(b)) - Number(/application-/.test(a)));
  for (const path of paths) {
    const props = readSpringProperties(files.get(path)!, path);
    for (const key of keys) {
      const p = props.get(key);
      if (p) out.push(fileCandidate(path, p.line, key, p.value.replace(/^["']|["']$/g, '')));
    }
  }
  return out;
}

function springFact(
  candidates: readonly Candidate[],
  connection: readonly Candidate[],
  diagnostics: string[],
  why: string,
): Fact {
  const parse = (c: Candidate): Candidate => (/^P/i.test(c.text.trim()) ? { ...c, text: c.text.trim() } : c);
  const iso = candidates.find((c) => /^P/i.test(c.text.trim()));
  if (iso) {
    try {
      const d = parseDuration(iso.text, { syntax: 'iso8601', location: { field: iso.described } });
      return {
        subject: 'server-keepalive',
        value: { type: 'duration', ms: d.ms, text: d.text },
        product: 'tomcat',
        setting: iso.setting,
        unit: 'ISO-8601 duration',
        provenance: iso.provenance,
      };
    } catch (error) {
      if (!isKeepaliveParityError(error)) throw error;
      diagnostics.push(error.message);
    }
  }
  const fact =
    keepAliveFact('tomcat', candidates.map(parse), SPRING_DURATION, diagnostics) ??
    keepAliveFact('tomcat', connection.map(parse), SPRING_DURATION, diagnostics, [
      'server.tomcat.keep-alive-timeout is not set, so Tomcat uses server.tomcat.connection-timeout for it',
    ]);
  if (fact) return fact;
  const d = defaultKeepAliveFact('tomcat', why, [
    "Spring Boot leaves Tomcat's connectionTimeout at its code default (60 s), so keep-alive is 60 s (an inference the knowledge base marks UNVERIFIED for Spring Boot): 60 s equals a default ALB idle timeout",
  ]);
  return d;
}

export const springBootReader: ConfigReader = {
  id: 'spring-boot',
  summary: 'Spring Boot application.properties / application.yml: server.tomcat.keep-alive-timeout',
  roles: ['server'],
  detect: (file, text) =>
    /(^|\/)application(-[\w-]+)?\.(properties|ya?ml)$/.test(file) &&
    /server[.:\s]/.test(text) &&
    /tomcat|server\.port|spring/.test(text),
  read(input) {
    const files = new Map([[input.file, input.text]]);
    const diagnostics: string[] = [];
    const fact = springFact(
      springCandidates(files, SPRING_KEYS),
      springCandidates(files, SPRING_CONNECTION_KEYS),
      diagnostics,
      `${input.file} sets no server.tomcat.keep-alive-timeout, so the embedded Tomcat default applies`,
    );
    const port = readSpringProperties(input.text, input.file).get('server.port')?.value;
    return {
      sides: [
        {
          role: 'server',
          name: 'spring-boot',
          label: 'Spring Boot (embedded Tomcat)',
          product: 'tomcat',
          facts: [fact],
          targets: port ? [port] : ['8080'],
        },
      ],
      diagnostics: diagnostics.map((message) => ({ severity: 'error' as const, message, file: input.file })),
    };
  },
};

/** `java -jar app.jar`: Spring Boot properties from args (`--k=v`, `-Dk=v`), env, then files. */
export const javaInterpreter: ServerInterpreter = {
  product: 'tomcat',
  matches: (argv) => programName(argv[0] ?? '') === 'java' || /(^|\/)catalina\.sh$/.test(argv[0] ?? ''),
  interpret(argv, context: ServerContext): ServerReading {
    const diagnostics: string[] = [];
    const files = context.files ?? new Map<string, string>();
    if (/catalina\.sh$/.test(argv[0] ?? '')) {
      const xml = [...files].find(([p]) => /(^|\/)server\.xml$/.test(p));
      if (xml) {
        const read = readTomcatServerXml(xml[1], xml[0]);
        const side = read.sides[0];
        if (side)
          return {
            product: 'tomcat',
            label: side.label,
            facts: side.facts,
            diagnostics: read.diagnostics.map((d) => d.message),
            ports: portsFrom(side.targets ?? []),
          };
      }
      return {
        product: 'tomcat',
        label: 'Apache Tomcat',
        facts: [
          unknownKeepAliveFact('tomcat', 'keepAliveTimeout', context.origin, [
            `Tomcat reads keepAliveTimeout from conf/server.xml, which was not available to read (${context.origin}); the stock file sets connectionTimeout="20000", the code default is 60000 ms: read it with tomcat:PATH`,
          ]),
        ],
        diagnostics,
        ports: [8080],
      };
    }
    const fromArgs = (keys: readonly string[]): Candidate[] => {
      const out: Candidate[] = [];
      for (const w of argv.slice(1)) {
        const m = /^(?:--|-D)([\w.-]+)=(.*)$/.exec(w);
        if (m && keys.includes(m[1]!))
          out.push(commandCandidate(context, w.startsWith('-D') ? `-D${m[1]}` : `--${m[1]}`, m[2]!, m[1]!));
      }
      return out.reverse();
    };
    const fromEnv = (name: string, key: string): Candidate[] => {
      const e = context.env.get(name);
      return e ? [envCandidate(name, e, key)] : [];
    };
    const candidates = [
      ...fromArgs(SPRING_KEYS),
      ...fromEnv('SERVER_TOMCAT_KEEPALIVETIMEOUT', 'server.tomcat.keep-alive-timeout'),
      ...springCandidates(files, SPRING_KEYS),
    ];
    const connection = [
      ...fromArgs(SPRING_CONNECTION_KEYS),
      ...fromEnv('SERVER_TOMCAT_CONNECTIONTIMEOUT', 'server.tomcat.connection-timeout'),
      ...springCandidates(files, SPRING_CONNECTION_KEYS),
    ];
    // Spring Boot reads application.properties/yml packed in the jar: with no file of the app here,
    // a value set there cannot be seen, so nothing on the command line or env is not "the default".
    const fact =
      candidates.length === 0 && connection.length === 0 && files.size === 0
        ? unknownKeepAliveFact('tomcat', 'server.tomcat.keep-alive-timeout', context.origin, [
            `nothing on the command line or in the environment sets server.tomcat.keep-alive-timeout, and the application.properties/yml packed in the app (${context.origin}) is not available to read`,
          ])
        : springFact(
            candidates,
            connection,
            diagnostics,
            `nothing sets server.tomcat.keep-alive-timeout (${context.origin}); assuming a Spring Boot app on embedded Tomcat`,
          );
    const port = context.env.get('SERVER_PORT')?.value ?? '8080';
    return {
      product: 'tomcat',
      label: 'Spring Boot (embedded Tomcat)',
      facts: [fact],
      diagnostics,
      ports: portsFrom([port]),
    };
  },
};

// ---------------------------------------------------------------- Kestrel

/** Strips // and /* *\/ comments and trailing commas (.NET's JSON configuration allows them). */
function relaxedJson(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const chunk = text.slice(i, end < 0 ? text.length : end + 2);
      out += chunk.replace(/[^\n]/g, ' ');
      i = end < 0 ? text.length : end + 1;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

function lookupCaseInsensitive(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    const found = Object.keys(cur).find((k) => k.toLowerCase() === key.toLowerCase());
    if (found === undefined) return undefined;
    cur = (cur as Record<string, unknown>)[found];
  }
  return cur;
}

function kestrelFromJson(text: string, file: string, diagnostics: string[]): Candidate | undefined {
  let parsed: unknown;
  try {
    parsed = relaxedJson(text);
  } catch (error) {
    diagnostics.push(`${file}: not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  const value = lookupCaseInsensitive(parsed, ['Kestrel', 'Limits', 'KeepAliveTimeout']);
  if (value === undefined) return undefined;
  const index = text.search(/"KeepAliveTimeout"/i);
  return fileCandidate(
    file,
    index < 0 ? undefined : lineAt(text, index),
    'Kestrel:Limits:KeepAliveTimeout',
    String(value),
  );
}

const TIMESPAN = { syntax: 'timespan' as const, unit: 'TimeSpan (hh:mm:ss)' };

export const kestrelReader: ConfigReader = {
  id: 'kestrel',
  summary: 'ASP.NET Core Kestrel appsettings.json: Kestrel:Limits:KeepAliveTimeout',
  roles: ['server'],
  detect: (file, text) =>
    /(^|\/)appsettings(\.[\w-]+)?\.json$/.test(file) && /"Kestrel"|"Logging"|"AllowedHosts"/i.test(text),
  read(input) {
    const diagnostics: string[] = [];
    const c = kestrelFromJson(input.text, input.file, diagnostics);
    const fact =
      keepAliveFact('kestrel', c ? [c] : [], TIMESPAN, diagnostics) ??
      defaultKeepAliveFact(
        'kestrel',
        `${input.file} sets no Kestrel:Limits:KeepAliveTimeout, so Kestrel's default applies`,
      );
    return {
      sides: [
        { role: 'server', name: 'kestrel', label: 'ASP.NET Core Kestrel', product: 'kestrel', facts: [fact] },
      ],
      diagnostics: diagnostics.map((message) => ({ severity: 'error' as const, message, file: input.file })),
    };
  },
};

/**
 * `dotnet App.dll`: ASP.NET Core configuration precedence, highest first: command-line
 * `--Kestrel:Limits:KeepAliveTimeout=...`, env `Kestrel__Limits__KeepAliveTimeout`,
 * `appsettings.{ASPNETCORE_ENVIRONMENT}.json`, `appsettings.json`. Default 130 s.
 */
export const dotnetInterpreter: ServerInterpreter = {
  product: 'kestrel',
  matches: (argv) => programName(argv[0] ?? '') === 'dotnet' && /\.dll$/.test(argv[1] ?? ''),
  interpret(argv, context) {
    const diagnostics: string[] = [];
    const candidates: Candidate[] = [];
    for (const [i, w] of argv.entries()) {
      const m = /^--?Kestrel[:_]{1,2}Limits[:_]{1,2}KeepAliveTimeout(?:=(.*))?$/i.exec(w);
      if (m)
        candidates.unshift(
          commandCandidate(
            context,
            '--Kestrel:Limits:KeepAliveTimeout',
            m[1] ?? argv[i + 1] ?? '',
            'Kestrel:Limits:KeepAliveTimeout',
          ),
        );
    }
    for (const name of [
      'Kestrel__Limits__KeepAliveTimeout',
      'ASPNETCORE_Kestrel__Limits__KeepAliveTimeout',
    ]) {
      const e = context.env.get(name);
      if (e) candidates.push(envCandidate(name, e, 'Kestrel:Limits:KeepAliveTimeout'));
    }
    const environment =
      context.env.get('ASPNETCORE_ENVIRONMENT')?.value ??
      context.env.get('DOTNET_ENVIRONMENT')?.value ??
      'Production';
    const files = context.files ?? new Map<string, string>();
    for (const name of [`appsettings.${environment}.json`, 'appsettings.json']) {
      const entry = [...files].find(([p]) => p === name || p.endsWith(`/${name}`));
      const c = entry ? kestrelFromJson(entry[1], entry[0], diagnostics) : undefined;
      if (c) candidates.push(c);
    }
    const fact =
      keepAliveFact('kestrel', candidates, TIMESPAN, diagnostics) ??
      // appsettings.json ships next to the app's dll: with no file of the app here, unknown.
      (files.size === 0 && !context.appFolderSearched
        ? unknownKeepAliveFact('kestrel', 'Kestrel:Limits:KeepAliveTimeout', context.origin, [
            `nothing on the command line or in the environment sets Kestrel:Limits:KeepAliveTimeout, and the app's appsettings.json (${context.origin}) is not available to read`,
          ])
        : defaultKeepAliveFact(
            'kestrel',
            `nothing sets Kestrel:Limits:KeepAliveTimeout (${context.origin}), so Kestrel's default applies`,
          ));
    const urls =
      context.env.get('ASPNETCORE_URLS')?.value ?? context.env.get('ASPNETCORE_HTTP_PORTS')?.value ?? '8080';
    return {
      product: 'kestrel',
      label: 'ASP.NET Core Kestrel',
      facts: [fact],
      diagnostics,
      ports: portsFrom(urls.split(/[;,]/).map((u) => u.replace(/\/$/, ''))),
    };
  },
};
