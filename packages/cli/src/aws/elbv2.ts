import type { LiveLoadBalancer, LiveLoadBalancerRead } from '@keepalive-parity/core/engine';
import { isKeepaliveParityError, KeepaliveParityError } from '@keepalive-parity/core/engine';
import type { CliContext } from '../context.js';
import { awsError } from './errors.js';

/** DescribeLoadBalancerAttributes takes one ARN per call; `alb:all` reads this many at once. */
const ATTRIBUTE_CONCURRENCY = 4;
/** `alb:all`: stop after this many pages (400 per page) rather than loop forever on a bad marker. */
const MAX_PAGES = 100;
const PAGE_SIZE = 400;

/** The endpoint override: `--endpoint-url`, else the SDK's standard variables. */
export function elbv2Endpoint(env: NodeJS.ProcessEnv): string | undefined {
  return (
    env.KAP_AWS_ENDPOINT_URL ||
    env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 ||
    env.AWS_ENDPOINT_URL ||
    undefined
  );
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Reads Application Load Balancers with the AWS SDK v3 (read-only: DescribeLoadBalancers,
 * DescribeLoadBalancerAttributes). Region and credentials come from the standard chain (env,
 * profile, SSO, instance/task role). Throttling is retried by the SDK (standard retry mode).
 */
export async function describeAlbs(locator: string, context: CliContext): Promise<LiveLoadBalancerRead> {
  const field = `alb:${locator}`;
  const sdk = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const endpoint = elbv2Endpoint(context.env);
  const region = context.env.AWS_REGION || context.env.AWS_DEFAULT_REGION || undefined;
  const client = new sdk.ElasticLoadBalancingV2Client({
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    maxAttempts: 4,
  });
  const abortSignal = context.signal;
  try {
    let resolvedRegion: string | undefined;
    try {
      resolvedRegion = await client.config.region();
    } catch (error) {
      throw awsError(error, 'elasticloadbalancing:DescribeLoadBalancers', field, field);
    }
    const loadBalancers: Array<{ arn: string; name: string; type: string; dnsName?: string | undefined }> =
      [];
    const take = (
      lbs:
        | readonly { LoadBalancerArn?: string; LoadBalancerName?: string; Type?: string; DNSName?: string }[]
        | undefined,
    ) => {
      for (const lb of lbs ?? []) {
        loadBalancers.push({
          arn: lb.LoadBalancerArn ?? '',
          name: lb.LoadBalancerName ?? '',
          type: lb.Type ?? 'application',
          dnsName: lb.DNSName,
        });
      }
    };
    try {
      if (locator === 'all') {
        let marker: string | undefined;
        for (let page = 0; page < MAX_PAGES; page++) {
          const out = await client.send(
            new sdk.DescribeLoadBalancersCommand({ Marker: marker, PageSize: PAGE_SIZE }),
            { abortSignal },
          );
          take(out.LoadBalancers);
          marker = out.NextMarker || undefined;
          if (!marker) break;
          if (page === MAX_PAGES - 1) {
            throw new KeepaliveParityError(
              'KAP_SOURCE_UNAVAILABLE',
              `${field}: more than ${MAX_PAGES} pages of load balancers; stopped`,
              { field },
            );
          }
        }
      } else {
        const input = locator.startsWith('arn:') ? { LoadBalancerArns: [locator] } : { Names: [locator] };
        const out = await client.send(new sdk.DescribeLoadBalancersCommand(input), { abortSignal });
        take(out.LoadBalancers);
        if (loadBalancers.length === 0) {
          throw new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', `${field}: no such load balancer`, {
            field,
          });
        }
      }
    } catch (error) {
      if (isKeepaliveParityError(error)) throw error;
      throw awsError(error, 'elasticloadbalancing:DescribeLoadBalancers', field, field);
    }
    const readAt = new Date().toISOString();
    const withAttributes = await mapLimit(
      loadBalancers,
      ATTRIBUTE_CONCURRENCY,
      async (lb): Promise<LiveLoadBalancer> => {
        if (lb.type !== 'application' && locator === 'all')
          return { id: lb.arn, name: lb.name, type: lb.type, attributes: {} };
        try {
          const out = await client.send(
            new sdk.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.arn }),
            { abortSignal },
          );
          const attributes: Record<string, string> = {};
          for (const a of out.Attributes ?? []) if (a.Key) attributes[a.Key] = a.Value ?? '';
          return { id: lb.arn, name: lb.name, type: lb.type, dnsName: lb.dnsName, attributes };
        } catch (error) {
          throw awsError(
            error,
            'elasticloadbalancing:DescribeLoadBalancerAttributes',
            `alb:${lb.name}`,
            field,
          );
        }
      },
    );
    return {
      service: 'elasticloadbalancing',
      region: resolvedRegion,
      endpoint,
      readAt,
      loadBalancers: withAttributes,
    };
  } finally {
    client.destroy();
  }
}
