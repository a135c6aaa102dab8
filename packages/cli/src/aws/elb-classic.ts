import type { LiveLoadBalancer, LiveLoadBalancerRead } from '@keepalive-parity/core/engine';
import { KeepaliveParityError } from '@keepalive-parity/core/engine';
import type { CliContext } from '../context.js';
import { elbv2Endpoint } from './elbv2.js';
import { awsError } from './errors.js';

const MAX_PAGES = 100;

/**
 * Classic Load Balancers (API 2012-06-01). Its SDK client is not a dependency of this build, but
 * Classic ELB is a Query API on the same endpoint and signing name (`elasticloadbalancing`) as
 * ELBv2, so the installed ELBv2 client sends the calls: the SDK still resolves region and
 * credentials, signs, retries throttling and parses errors; only the request body is replaced
 * (Version 2012-06-01) and the response XML is read here.
 */
function textOf(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return match ? match[1]!.trim() : undefined;
}

function allOf(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!.trim());
}

function decodeXml(text: string): string {
  return text.replace(
    /&(lt|gt|amp|apos|quot);/g,
    (_, e: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[e]!,
  );
}

async function readBody(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export async function describeClassicElbs(
  locator: string,
  context: CliContext,
): Promise<LiveLoadBalancerRead> {
  const field = `elb:${locator}`;
  const sdk = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const endpoint = elbv2Endpoint(context.env);
  const region = context.env.AWS_REGION || context.env.AWS_DEFAULT_REGION || undefined;
  const client = new sdk.ElasticLoadBalancingV2Client({
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    maxAttempts: 4,
  });
  let params: Record<string, string> = {};
  let raw = '';
  // build: replace the ELBv2 body with the Classic call (before signing, which is in finalizeRequest).
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown; headers: Record<string, string> };
      const body = new URLSearchParams({ ...params, Version: '2012-06-01' }).toString();
      request.body = body;
      request.headers['content-length'] = String(Buffer.byteLength(body));
      return next(args);
    },
    { step: 'build', name: 'kapClassicElbBody' },
  );
  // deserialize (innermost): keep the raw XML, hand the deserializer an untouched copy.
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { body?: unknown; statusCode?: number };
      raw = await readBody(response.body);
      const { Readable } = await import('node:stream');
      response.body = Readable.from([Buffer.from(raw)]);
      return result;
    },
    { step: 'deserialize', name: 'kapClassicElbRaw', priority: 'low' },
  );
  const call = async (action: string, extra: Record<string, string>, command: unknown): Promise<string> => {
    params = { Action: action, ...extra };
    raw = '';
    try {
      await client.send(command as never, { abortSignal: context.signal });
    } catch (error) {
      throw awsError(error, `elasticloadbalancing:${action}`, field, field);
    }
    return raw;
  };
  try {
    try {
      await client.config.region();
    } catch (error) {
      throw awsError(error, 'elasticloadbalancing:DescribeLoadBalancers', field, field);
    }
    const names: string[] = [];
    if (locator === 'all') {
      let marker: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const xml = await call(
          'DescribeLoadBalancers',
          marker ? { Marker: marker } : {},
          new sdk.DescribeLoadBalancersCommand({}),
        );
        names.push(
          ...allOf(textOf(xml, 'LoadBalancerDescriptions') ?? '', 'LoadBalancerName').map(decodeXml),
        );
        marker = textOf(xml, 'NextMarker');
        if (!marker) break;
      }
    } else {
      const xml = await call(
        'DescribeLoadBalancers',
        { 'LoadBalancerNames.member.1': locator },
        new sdk.DescribeLoadBalancersCommand({}),
      );
      const found = allOf(xml, 'LoadBalancerName').map(decodeXml);
      if (!found.includes(locator)) {
        throw new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', `${field}: no such load balancer`, {
          field,
        });
      }
      names.push(locator);
    }
    const readAt = new Date().toISOString();
    const loadBalancers: LiveLoadBalancer[] = [];
    for (const name of names) {
      const xml = await call(
        'DescribeLoadBalancerAttributes',
        { LoadBalancerName: name },
        new sdk.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: name }),
      );
      const idle = textOf(textOf(xml, 'ConnectionSettings') ?? '', 'IdleTimeout');
      loadBalancers.push({
        id: name,
        name,
        type: 'classic',
        attributes: idle === undefined ? {} : { 'ConnectionSettings.IdleTimeout': idle },
      });
    }
    return {
      service: 'elasticloadbalancing',
      region: await client.config.region(),
      endpoint,
      readAt,
      loadBalancers,
    };
  } finally {
    client.destroy();
  }
}
