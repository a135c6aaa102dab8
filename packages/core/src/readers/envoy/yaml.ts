import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { ReaderDiagnostic } from '../types.js';

/** A YAML (or JSON: a YAML subset) document as plain data, with the line of any path in it. */
export interface LinedDocument {
  readonly value: unknown;
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/**
 * Parses YAML/JSON keeping positions, for readers whose values must carry file:line. Syntax errors
 * become diagnostics; documents with errors are skipped.
 */
export function parseLined(text: string, file: string, diagnostics: ReaderDiagnostic[]): LinedDocument[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: false });
  const out: LinedDocument[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        diagnostics.push({
          severity: 'error',
          message: `does not parse: ${error.message.split('\n')[0]}`,
          file,
          line: error.linePos?.[0]?.line,
        });
      }
      continue;
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    out.push({
      value,
      lineOf(path) {
        let node: unknown = doc.contents;
        let found: unknown = node;
        for (const key of path) {
          if (isMap(node)) {
            const keyOf = (p: { key: unknown }) => (isScalar(p.key) ? p.key.value : p.key);
            // A path in snake_case also finds the key written in camelCase (protobuf JSON names).
            const pair =
              node.items.find((p) => keyOf(p) === key) ??
              (typeof key === 'string' ? node.items.find((p) => keyOf(p) === camelCase(key)) : undefined);
            if (!pair) break;
            node = pair.value;
            found = pair.value ?? pair.key;
          } else if (isSeq(node) && typeof key === 'number') {
            node = node.items[key];
            if (node === undefined) break;
            found = node;
          } else break;
        }
        const range = (found as { range?: [number, number, number] } | undefined)?.range;
        return range ? counter.linePos(range[0]).line : undefined;
      },
    });
  }
  return out;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `idle_timeout` → `idleTimeout`: the JSON name protobuf gives a field. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Protobuf-based configs (Envoy) accept every field in camelCase too (`commonHttpProtocolOptions`,
 * `idleTimeout`, as Envoy Gateway emits them): keys turn to snake_case so one spelling is read.
 * Keys that are names rather than fields (with `.`, `/`, `@` or `-`, such as the type URLs keying
 * `typed_extension_protocol_options`) stay as written.
 */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const snake = /[./@-]/.test(key) ? key : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (!(snake in out) || snake === key) out[snake] = snakeKeys(v);
  }
  return out;
}
