import { parseDuration } from '../../duration/syntaxes.js';
import { isKeepaliveParityError } from '../../errors.js';
import type { Fact } from '../../facts.js';
import type { ConfigReader, ReaderDiagnostic, ReadSide } from '../types.js';
import { defaultKeepAliveFact, unknownKeepAliveFact } from './facts.js';
import { optionValue, programName } from './shell.js';
import type { ServerInterpreter } from './types.js';

/**
 * Apache httpd as a backend: `KeepAliveTimeout N` (seconds, or `NNNms`) and `KeepAlive Off`,
 * server-wide or per `<VirtualHost>` (the last server-wide value wins; each virtual host with its
 * own value is a side of its own). Default 5 s.
 */
export function readHttpdConfig(
  text: string,
  file: string,
): { sides: ReadSide[]; diagnostics: ReaderDiagnostic[] } {
  const diagnostics: ReaderDiagnostic[] = [];
  let global: Fact | undefined;
  let keepAliveOff: Fact | undefined;
  const vhosts: { name: string; fact?: Fact; off?: Fact; ports: string[] }[] = [];
  let current: (typeof vhosts)[number] | undefined;
  const listen: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/^\s+/, '');
    const lineNo = index + 1;
    if (/^#/.test(line)) continue;
    const vhost = /^<VirtualHost\s+([^>]+)>/i.exec(line);
    if (vhost) {
      current = { name: vhost[1]!.trim(), ports: vhost[1]!.trim().split(/\s+/) };
      vhosts.push(current);
      continue;
    }
    if (/^<\/VirtualHost>/i.test(line)) {
      current = undefined;
      continue;
    }
    const listenMatch = /^Listen\s+(\S+)/i.exec(line);
    if (listenMatch) listen.push(listenMatch[1]!);
    const ka = /^KeepAliveTimeout\s+(\S+)/i.exec(line);
    if (ka) {
      try {
        const d = parseDuration(ka[1]!, {
          syntax: 'apache',
          location: { file, line: lineNo, field: 'KeepAliveTimeout' },
        });
        const fact: Fact = {
          subject: 'server-keepalive',
          value: { type: 'duration', ms: d.ms, text: d.text },
          product: 'apache-httpd',
          setting: 'KeepAliveTimeout',
          unit: 'seconds',
          provenance: { kind: 'file', file, line: lineNo },
        };
        if (current) current.fact = fact;
        else global = fact;
      } catch (error) {
        if (!isKeepaliveParityError(error)) throw error;
        // `KeepAliveTimeout ${KA}` (a Define or env variable) or a typo: the value in force is not
        // known, and the default is not it either.
        const fact: Fact = {
          subject: 'server-keepalive',
          value: { type: 'unset' },
          product: 'apache-httpd',
          setting: 'KeepAliveTimeout',
          provenance: { kind: 'file', file, line: lineNo },
          notes: [`KeepAliveTimeout ${ka[1]} (${file}:${lineNo}) is not a value this tool can read`],
        };
        if (current) current.fact = fact;
        else global = fact;
        diagnostics.push({
          severity: 'error',
          message: error.message,
          file,
          line: lineNo,
          field: 'KeepAliveTimeout',
        });
      }
    }
    const off = /^KeepAlive\s+(On|Off)\b/i.exec(line);
    if (off) {
      const fact: Fact | undefined =
        off[1]!.toLowerCase() === 'off'
          ? {
              subject: 'server-keepalive',
              value: { type: 'disabled', text: 'KeepAlive Off' },
              product: 'apache-httpd',
              setting: 'KeepAlive',
              provenance: { kind: 'file', file, line: lineNo },
              notes: ['KeepAlive Off: httpd closes the connection after every response'],
            }
          : undefined;
      if (current) current.off = fact;
      else keepAliveOff = fact;
    }
  }
  // An Include may set it (Debian's apache2.conf sets it itself; the official image's httpd.conf
  // includes extra/httpd-default.conf only when uncommented): not followed here, so not a default.
  const include = /^\s*Include(?:Optional)?\s+(\S+)/im.exec(text);
  const serverFact =
    keepAliveOff ??
    global ??
    (include
      ? unknownKeepAliveFact('apache-httpd', 'KeepAliveTimeout', file, [
          `${file} sets no KeepAliveTimeout but includes ${include[1]}, which may set it and is not read here`,
        ])
      : defaultKeepAliveFact('apache-httpd', `${file} sets no KeepAliveTimeout, so httpd's default applies`));
  const sides: ReadSide[] = [
    {
      role: 'server',
      name: 'httpd',
      label: 'Apache httpd',
      product: 'apache-httpd',
      facts: [serverFact],
      targets: listen,
    },
  ];
  for (const v of vhosts) {
    const fact = v.off ?? v.fact;
    if (fact)
      sides.push({
        role: 'server',
        name: `VirtualHost ${v.name}`,
        label: `Apache httpd <VirtualHost ${v.name}>`,
        product: 'apache-httpd',
        facts: [fact],
        targets: v.ports,
      });
  }
  return { sides, diagnostics };
}

export const httpdReader: ConfigReader = {
  id: 'httpd',
  summary: 'Apache httpd as a backend: KeepAliveTimeout / KeepAlive in httpd.conf or apache2.conf',
  roles: ['server'],
  detect: (file, text) =>
    /(^|\/)(httpd|apache2)\.conf$|(^|\/)(sites-(enabled|available)|conf\.d)\/[^/]+\.conf$/.test(file) &&
    /^\s*(KeepAlive|ServerRoot|Listen|<VirtualHost|DocumentRoot)\b/im.test(text) &&
    !/^\s*(server|http|upstream)\s*\{/m.test(text),
  read: (input) => readHttpdConfig(input.text, input.file),
};

export const httpdInterpreter: ServerInterpreter = {
  product: 'apache-httpd',
  matches: (argv) =>
    ['httpd', 'apache2', 'apachectl', 'httpd-foreground', 'apache2ctl'].includes(programName(argv[0] ?? '')),
  interpret(argv, context) {
    const files = context.files ?? new Map<string, string>();
    const conf = optionValue(argv, ['-f'])?.value;
    const entry = [...files].find(([p]) =>
      conf
        ? p === conf || p.endsWith(`/${conf.replace(/^\.\//, '')}`)
        : /(^|\/)(httpd|apache2)\.conf$/.test(p),
    );
    if (entry) {
      const read = readHttpdConfig(entry[1], entry[0]);
      const side = read.sides[0]!;
      return {
        product: 'apache-httpd',
        label: 'Apache httpd',
        facts: side.facts,
        diagnostics: read.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`),
        ports: [],
      };
    }
    return {
      product: 'apache-httpd',
      label: 'Apache httpd',
      facts: [
        unknownKeepAliveFact('apache-httpd', 'KeepAliveTimeout', context.origin, [
          `httpd reads KeepAliveTimeout from ${conf ?? 'its httpd.conf'}, which was not available to read (${context.origin}); read it with httpd:PATH`,
        ]),
      ],
      diagnostics: conf ? [`config file ${conf} (${context.origin}) was not available to read`] : [],
      ports: [],
    };
  },
};
