import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { DURATION_UNITS, type DurationUnit, parseDuration } from './duration/syntaxes.js';
import { KeepaliveParityError } from './errors.js';

/** Extra facts a hops file may give for a side. */
export interface SideExtras {
  readonly headersTimeout?: string | undefined;
  readonly maxRequests?: number | undefined;
  readonly lifetime?: string | undefined;
}

export interface SideSpec {
  readonly source: string;
  readonly unit?: DurationUnit | undefined;
  readonly product?: string | undefined;
  readonly label?: string | undefined;
  readonly extras: SideExtras;
  /** `hops.yaml:12 (server)`: where the side was written, for messages. */
  readonly field: string;
  readonly file: string;
  readonly line: number;
}

export interface HopSpec {
  readonly name?: string | undefined;
  readonly client: SideSpec;
  readonly server: SideSpec;
  readonly marginMs?: number | undefined;
  readonly line: number;
}

export interface HopsFile {
  readonly marginMs?: number | undefined;
  readonly hops: readonly HopSpec[];
}

/**
 * Parses a hops file (YAML) into hop specs, keeping file:line for every side. Two shapes:
 *
 *     hops:                      # explicit hops
 *       - name: ALB → app
 *         client: runtime:aws-alb
 *         server: { source: env:KEEP_ALIVE, unit: ms, product: node }
 *
 *     chain:                     # a chain, checked hop by hop: node[i].pool → node[i+1].keepalive
 *       - { name: CloudFront, pool: runtime:cloudfront }
 *       - { name: ALB, keepalive: 60s, pool: 60s }
 *       - { name: app, keepalive: runtime:gunicorn }
 */
export function parseHopsFile(text: string, file: string): HopsFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  const fail = (message: string, node?: Node | null, field?: string): never => {
    throw new KeepaliveParityError('KAP_INPUT_INVALID', `${file}:${lineOf(node)}: ${message}`, {
      file,
      line: lineOf(node),
      field,
    });
  };
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const line = error.linePos?.[0]?.line ?? 1;
    throw new KeepaliveParityError(
      'KAP_INPUT_INVALID',
      `${file}:${line}: not valid YAML: ${error.message.split('\n')[0]}`,
      { file, line },
    );
  }
  const root = doc.contents;
  if (!isMap(root)) return fail('expected a mapping with "hops:" or "chain:"', root as Node);

  const scalarString = (node: unknown, field: string): string => {
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number'))
      return String(node.value);
    return fail(`${field} must be a string`, node as Node, field);
  };
  const durationField = (node: unknown, field: string): number => {
    const value = scalarString(node, field);
    try {
      return parseDuration(value, { syntax: 'plain', location: { file, line: lineOf(node as Node), field } })
        .ms;
    } catch (error) {
      return fail((error as Error).message, node as Node, field);
    }
  };
  const allowed = (map: YAMLMap, keys: readonly string[], where: string) => {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!keys.includes(key))
        fail(
          `unknown field ${JSON.stringify(key)} in ${where} (expected ${keys.join(', ')})`,
          pair.key as Node,
          key,
        );
    }
  };

  const side = (node: unknown, field: string): SideSpec => {
    const line = lineOf(node as Node);
    const where = `${file}:${line} (${field})`;
    if (isScalar(node)) return { source: scalarString(node, field), extras: {}, field: where, file, line };
    if (!isMap(node))
      return fail(`${field} must be a source string or a mapping with "source"`, node as Node, field);
    allowed(node, ['source', 'unit', 'product', 'label', 'headersTimeout', 'maxRequests', 'lifetime'], field);
    const sourceNode = node.get('source', true);
    if (sourceNode === undefined) return fail(`${field} has no "source"`, node, field);
    const unitNode = node.get('unit', true);
    let unit: DurationUnit | undefined;
    if (unitNode !== undefined) {
      const u = scalarString(unitNode, `${field}.unit`);
      if (!DURATION_UNITS.includes(u as DurationUnit))
        fail(`${field}.unit must be one of ${DURATION_UNITS.join(', ')}`, unitNode as Node);
      unit = u as DurationUnit;
    }
    const opt = (key: string) => {
      const n = node.get(key, true);
      return n === undefined ? undefined : scalarString(n, `${field}.${key}`);
    };
    const maxRequestsText = opt('maxRequests');
    if (maxRequestsText !== undefined && !/^\d+$/.test(maxRequestsText)) {
      fail(`${field}.maxRequests must be a whole number`, node.get('maxRequests', true) as Node);
    }
    return {
      source: scalarString(sourceNode, `${field}.source`),
      unit,
      product: opt('product'),
      label: opt('label'),
      extras: {
        headersTimeout: opt('headersTimeout'),
        maxRequests: maxRequestsText === undefined ? undefined : Number(maxRequestsText),
        lifetime: opt('lifetime'),
      },
      field: where,
      file,
      line,
    };
  };

  allowed(root, ['margin', 'hops', 'chain'], 'the hops file');
  const marginNode = root.get('margin', true);
  const marginMs = marginNode === undefined ? undefined : durationField(marginNode, 'margin');
  const hopsNode = root.get('hops', true);
  const chainNode = root.get('chain', true);
  if ((hopsNode === undefined) === (chainNode === undefined))
    return fail('give exactly one of "hops:" or "chain:"', root);
  const hops: HopSpec[] = [];
  if (hopsNode !== undefined) {
    if (!isSeq(hopsNode) || hopsNode.items.length === 0)
      return fail('"hops" must be a non-empty list', hopsNode as Node);
    for (const [index, item] of hopsNode.items.entries()) {
      if (!isMap(item)) return fail(`hops[${index}] must be a mapping with client and server`, item as Node);
      allowed(item, ['name', 'client', 'server', 'margin'], `hops[${index}]`);
      const client = item.get('client', true);
      const server = item.get('server', true);
      if (client === undefined || server === undefined)
        return fail(`hops[${index}] needs both "client" and "server"`, item);
      const nameNode = item.get('name', true);
      const m = item.get('margin', true);
      hops.push({
        name: nameNode === undefined ? undefined : scalarString(nameNode, 'name'),
        client: side(client, `hops[${index}].client`),
        server: side(server, `hops[${index}].server`),
        marginMs: m === undefined ? undefined : durationField(m, `hops[${index}].margin`),
        line: lineOf(item),
      });
    }
  } else {
    if (!isSeq(chainNode) || chainNode.items.length < 2)
      return fail('"chain" must list at least two nodes', chainNode as Node);
    const nodes = chainNode.items.map((item, index) => {
      if (!isMap(item)) return fail(`chain[${index}] must be a mapping`, item as Node);
      allowed(item, ['name', 'pool', 'keepalive', 'margin'], `chain[${index}]`);
      const nameNode = item.get('name', true);
      return {
        item,
        index,
        name: nameNode === undefined ? `node ${index + 1}` : scalarString(nameNode, 'name'),
      };
    });
    for (let i = 0; i + 1 < nodes.length; i++) {
      const from = nodes[i]!;
      const to = nodes[i + 1]!;
      const pool = from.item.get('pool', true);
      const keepalive = to.item.get('keepalive', true);
      if (pool === undefined)
        return fail(`chain[${i}] (${from.name}) needs "pool": its idle timeout toward ${to.name}`, from.item);
      if (keepalive === undefined)
        return fail(
          `chain[${i + 1}] (${to.name}) needs "keepalive": its keep-alive toward ${from.name}`,
          to.item,
        );
      const m = from.item.get('margin', true);
      const client = side(pool, `chain[${i}].pool`);
      const server = side(keepalive, `chain[${i + 1}].keepalive`);
      hops.push({
        name: `${from.name} → ${to.name}`,
        client: { ...client, label: client.label ?? from.name },
        server: { ...server, label: server.label ?? to.name },
        marginMs: m === undefined ? undefined : durationField(m, `chain[${i}].margin`),
        line: lineOf(from.item),
      });
    }
  }
  return { marginMs, hops };
}
