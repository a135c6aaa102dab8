import { type DurationSyntax, type DurationUnit, parseDuration } from '../../duration/syntaxes.js';
import { isKeepaliveParityError } from '../../errors.js';
import type { Fact, FactValue, Provenance } from '../../facts.js';
import { defaultFact, findProduct } from '../../kb/index.js';
import type { EnvEntry, ServerContext } from './types.js';

/** One place a value was set: a command-line flag, an env var or a config file line. */
export interface Candidate {
  readonly text: string;
  readonly provenance: Provenance;
  /** How people call it (`--keep-alive 75`, `UVICORN_TIMEOUT_KEEP_ALIVE=65 (image ENV)`). */
  readonly described: string;
  readonly setting: string;
  /** A value at the same place this one replaced (`KEEP_ALIVE_TIMEOUT=5000 (Dockerfile ENV)`). */
  readonly replaced?: string | undefined;
}

export function commandCandidate(
  context: ServerContext,
  flag: string,
  text: string,
  setting = flag,
): Candidate {
  const provenance: Provenance = context.commandFile
    ? { kind: 'file', file: context.commandFile.file, line: context.commandFile.line }
    : { kind: 'command-line', flag, text };
  return { text, provenance, described: `${flag} ${text} (command line, ${context.origin})`, setting };
}

export function envCandidate(name: string, entry: EnvEntry, setting = name): Candidate {
  return {
    text: entry.value,
    provenance: entry.provenance,
    described: `${name}=${entry.value} (${entry.where})`,
    setting,
    replaced: entry.overrides ? `${name}=${entry.overrides.value} (${entry.overrides.where})` : undefined,
  };
}

export function fileCandidate(
  file: string,
  line: number | undefined,
  setting: string,
  text: string,
): Candidate {
  return {
    text,
    provenance: { kind: 'file', file, line },
    described: `${setting} = ${text} (${file}${line === undefined ? '' : `:${line}`})`,
    setting,
  };
}

export interface ValueParse {
  readonly syntax: DurationSyntax;
  readonly defaultUnit?: DurationUnit;
  /** The unit people write the setting in (`seconds`). */
  readonly unit: string;
}

/**
 * Builds the keep-alive fact from the candidates, highest precedence first. The first one that
 * parses wins; the others are named in its notes ("the command line wins"), so a finding shows
 * both the value in force and the one it overrode.
 */
export function keepAliveFact(
  product: string,
  candidates: readonly (Candidate | undefined)[],
  parse: ValueParse,
  diagnostics: string[],
  extraNotes: readonly string[] = [],
): Fact | undefined {
  const present = candidates.filter((c): c is Candidate => c !== undefined);
  for (const [index, candidate] of present.entries()) {
    let value: FactValue;
    try {
      const d = parseDuration(candidate.text, {
        syntax: parse.syntax,
        defaultUnit: parse.defaultUnit,
        location: { field: candidate.described },
      });
      value = { type: 'duration', ms: d.ms, text: d.text };
    } catch (error) {
      if (!isKeepaliveParityError(error)) throw error;
      // The value in force is this one, and it cannot be read (a template, an expression, a
      // typo): the keep-alive is unknown. Falling through to a lower setting or the default
      // would report a value the server does not use.
      diagnostics.push(`${candidate.described}: ${error.message}`);
      return {
        subject: 'server-keepalive',
        value: { type: 'unset' },
        product,
        setting: candidate.setting,
        unit: parse.unit,
        provenance: candidate.provenance,
        notes: [
          ...extraNotes,
          `${candidate.described} is in force but is not a value this tool can read (${error.message}); the keep-alive is not known`,
        ],
      };
    }
    const overridden = [
      ...(candidate.replaced ? [`overrides ${candidate.replaced}`] : []),
      ...present.slice(index + 1).map((c) => `overrides ${c.described}`),
    ];
    const notes = [...extraNotes];
    if (overridden.length > 0) notes.push(`${candidate.described} is in force; it ${overridden.join('; ')}`);
    return {
      subject: 'server-keepalive',
      value,
      product,
      setting: candidate.setting,
      unit: parse.unit,
      provenance: candidate.provenance,
      notes,
    };
  }
  return undefined;
}

/** The knowledge-base default, with a note on why it applies. */
export function defaultKeepAliveFact(
  product: string,
  why: string,
  extraNotes: readonly string[] = [],
  version?: string,
): Fact {
  const fact = defaultFact(product, 'server', version);
  return { ...fact, notes: [why, ...extraNotes, ...(fact.notes ?? [])] };
}

/**
 * A keep-alive that depends on something the reader could not read (a config file that is not
 * available, a computed value, a variable that is not set): `unset` with the reason, never a
 * default and never "off". A default here could turn a violation into a false "holds".
 */
export function unknownKeepAliveFact(
  product: string,
  setting: string,
  origin: string,
  reasons: readonly string[],
): Fact {
  return {
    subject: 'server-keepalive',
    value: { type: 'unset' },
    product,
    setting,
    provenance: { kind: 'derived', from: origin },
    notes: [...reasons],
  };
}

export function productName(id: string): string {
  return findProduct(id)?.name ?? id;
}

/** Ports from `-b HOST:PORT`, `--bind`, `--port N`, `-p N`. */
export function portsFrom(values: readonly (string | undefined)[]): number[] {
  const ports: number[] = [];
  for (const v of values) {
    if (!v) continue;
    const m = /(?:^|:)(\d{1,5})$/.exec(v.trim());
    if (m) {
      const port = Number(m[1]);
      if (port > 0 && port < 65536) ports.push(port);
    }
  }
  return ports;
}

export function envOf(context: ServerContext, name: string): EnvEntry | undefined {
  return context.env.get(name);
}
