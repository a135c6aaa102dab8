import { formatDuration } from '../duration/duration.js';
import { KeepaliveParityError } from '../errors.js';
import type { Fact, FactValue } from '../facts.js';
import { KNOWLEDGE_BASE_ADDITIONS } from './additions.data.js';
import { KNOWLEDGE_BASE_ENTRIES as RESEARCH_TABLE_ENTRIES } from './defaults.data.js';
import {
  findProduct,
  type ProductSpec,
  type TimeoutSetting,
  unknownProductMessage,
  type VersionedDefault,
} from './products.js';
import type { KnowledgeBaseEntry } from './types.js';

export * from './products.js';
export type { KnowledgeBaseEntry } from './types.js';

/** The research table's rows, then the rows added by hand (additions.data.ts). */
const KNOWLEDGE_BASE_ENTRIES: readonly KnowledgeBaseEntry[] = [
  ...RESEARCH_TABLE_ENTRIES,
  ...KNOWLEDGE_BASE_ADDITIONS,
];
const ENTRIES = new Map(KNOWLEDGE_BASE_ENTRIES.map((e) => [e.id, e]));

export function knowledgeBaseEntries(): readonly KnowledgeBaseEntry[] {
  return KNOWLEDGE_BASE_ENTRIES;
}

export function getEntry(id: string): KnowledgeBaseEntry {
  const entry = ENTRIES.get(id);
  if (!entry)
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      `knowledge base has no entry ${JSON.stringify(id)}`,
    );
  return entry;
}

/** Entries for a product id or alias (through the catalog), or whose product name contains `query`. */
export function searchEntries(query: string): KnowledgeBaseEntry[] {
  const product = findProduct(query);
  if (product) {
    const ids = new Set<string>();
    for (const s of [product.pool, product.server]) if (s) ids.add(s.entry);
    for (const s of [product.maxRequests, product.lifetime, product.closeDelayMs]) if (s) ids.add(s.entry);
    // Related rows of the same product (max requests, lifetime, buffers) come along.
    const names = new Set([...ids].map((id) => getEntry(id).product));
    return KNOWLEDGE_BASE_ENTRIES.filter((e) => ids.has(e.id) || names.has(e.product));
  }
  const needle = query.trim().toLowerCase();
  return KNOWLEDGE_BASE_ENTRIES.filter(
    (e) => e.product.toLowerCase().includes(needle) || e.setting.toLowerCase().includes(needle),
  );
}

// ---- versions ----

function parseVersion(text: string): number[] | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `*`, `>=7.0.0`, `<7.0.0`, `>=1.19.10 <1.29.7` (all comparators must hold). */
export function versionInRange(version: string, range: string): boolean {
  if (range.trim() === '*') return true;
  const v = parseVersion(version);
  if (!v) return false;
  return range
    .trim()
    .split(/\s+/)
    .every((part) => {
      const match = /^(>=|<=|>|<|=)?(.+)$/.exec(part);
      const bound = match ? parseVersion(match[2]!) : undefined;
      if (!match || !bound) return false;
      const c = compareVersions(v, bound);
      switch (match[1]) {
        case '>=':
          return c >= 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '<':
          return c < 0;
        default:
          return c === 0;
      }
    });
}

export type HopRole = 'pool' | 'server';

export interface ResolvedDefault {
  readonly product: ProductSpec;
  readonly setting: TimeoutSetting;
  readonly entry: KnowledgeBaseEntry;
  readonly value: FactValue;
  /** Which version range the default applies to, or the entry's version text. */
  readonly versions: string;
  readonly notes: string[];
}

function versionedValue(def: VersionedDefault['value'], entry: KnowledgeBaseEntry): FactValue {
  if (typeof def === 'number') return { type: 'duration', ms: def, text: formatDuration(def) };
  if (def === 'unbounded') return { type: 'unbounded', text: 'no idle limit' };
  if (def === 'disabled') return { type: 'disabled', text: 'no keep-alive' };
  void entry;
  return { type: 'unset' };
}

function entryValue(entry: KnowledgeBaseEntry): FactValue {
  if (entry.defaultMs !== null)
    return { type: 'duration', ms: entry.defaultMs, text: formatDuration(entry.defaultMs) };
  if (/UNBOUNDED/.test(entry.notes)) return { type: 'unbounded', text: 'no limit' };
  return { type: 'unset' };
}

/**
 * The default of a product's timeout on one side of a hop, for a version (or the current one).
 * Throws `KAP_SOURCE_UNAVAILABLE` when the product is unknown or has no such side.
 */
export function resolveDefault(productName: string, role: HopRole, version?: string): ResolvedDefault {
  const product = findProduct(productName);
  if (!product) {
    throw new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', unknownProductMessage(productName));
  }
  const setting = role === 'pool' ? product.pool : product.server;
  if (!setting) {
    const other =
      role === 'pool' ? product.server && 'a server (--backend)' : product.pool && 'a client pool (--lb)';
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      `${product.name} has no ${role === 'pool' ? 'client-side pool' : 'server keep-alive'} in the knowledge base${other ? `; it is known as ${other}` : ''}`,
    );
  }
  const entry = getEntry(setting.entry);
  const notes: string[] = [];
  if (setting.defaults && setting.defaults.length > 0) {
    const chosen = version
      ? setting.defaults.find((d) => versionInRange(version, d.range))
      : setting.defaults[0];
    if (!chosen) {
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        `no ${product.name} default is known for version ${version}`,
      );
    }
    if (chosen.note) notes.push(chosen.note);
    if (!version && setting.defaults.length > 1) {
      const others = setting.defaults.slice(1).map((d) => `${d.range}: ${describeDefault(d.value)}`);
      notes.push(
        `default for the current version (${chosen.range}); other versions: ${others.join('; ')}. Give runtime:${product.id}@VERSION to pick one`,
      );
    }
    return {
      product,
      setting,
      entry,
      value: versionedValue(chosen.value, entry),
      versions: chosen.range === '*' ? entry.versions : chosen.range,
      notes,
    };
  }
  return { product, setting, entry, value: entryValue(entry), versions: entry.versions, notes };
}

function describeDefault(value: VersionedDefault['value']): string {
  return typeof value === 'number' ? `${value / 1000} s` : value;
}

/** A fact for a product's default, with the knowledge-base provenance (source URL, versions). */
export function defaultFact(productName: string, role: HopRole, version?: string): Fact {
  const resolved = resolveDefault(productName, role, version);
  const { product, setting, entry } = resolved;
  const notes = [...resolved.notes, ...(product.notes ?? [])];
  if (!entry.verified)
    notes.push('this default is UNVERIFIED in the knowledge base and is not used for a verdict');
  if (setting.fixed) notes.push(`${product.name} fixes this value; it is not a setting users can change`);
  return {
    subject: role === 'pool' ? 'pool-idle' : 'server-keepalive',
    value: resolved.value,
    product: product.id,
    setting: setting.setting,
    unit: setting.unit,
    isDefault: !setting.fixed,
    provenance: {
      kind: 'knowledge-base',
      entryId: entry.id,
      product: product.name,
      setting: setting.setting,
      sourceUrl: entry.sourceUrl,
      versions: version ? `${version} (${resolved.versions})` : resolved.versions,
      verified: entry.verified,
    },
    notes,
  };
}

/** Facts for the caveats a product's defaults carry (max requests, lifetime, close delay). */
export function caveatFacts(productName: string): Fact[] {
  const product = findProduct(productName);
  if (!product) return [];
  const facts: Fact[] = [];
  const provenance = (id: string, setting: string) => {
    const entry = getEntry(id);
    return {
      kind: 'knowledge-base' as const,
      entryId: entry.id,
      product: product.name,
      setting,
      sourceUrl: entry.sourceUrl,
      versions: entry.versions,
      verified: entry.verified,
    };
  };
  if (product.maxRequests) {
    const m = product.maxRequests;
    facts.push({
      subject: 'max-requests-per-connection',
      value:
        m.count === 'unbounded'
          ? { type: 'unbounded' }
          : { type: 'count', count: m.count, text: String(m.count) },
      product: product.id,
      setting: m.setting,
      isDefault: true,
      provenance: provenance(m.entry, m.setting),
    });
  }
  if (product.lifetime) {
    const l = product.lifetime;
    facts.push({
      subject: 'connection-lifetime',
      value:
        l.ms === 'unbounded'
          ? { type: 'unbounded' }
          : { type: 'duration', ms: l.ms, text: formatDuration(l.ms) },
      product: product.id,
      setting: l.setting,
      isDefault: true,
      provenance: provenance(l.entry, l.setting),
    });
  }
  if (product.closeDelayMs) {
    const c = product.closeDelayMs;
    facts.push({
      subject: 'keepalive-close-delay',
      value: { type: 'duration', ms: c.ms, text: formatDuration(c.ms) },
      product: product.id,
      setting: 'keepAliveTimeoutBuffer',
      isDefault: true,
      provenance: provenance(c.entry, 'keepAliveTimeoutBuffer'),
      notes: [c.note],
    });
  }
  return facts;
}
