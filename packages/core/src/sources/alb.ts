import { KeepaliveParityError } from '../errors.js';
import type { Fact, Provenance } from '../facts.js';
import { defaultFact, type HopRole } from '../kb/index.js';
import type { ResolvedSide, SourceIo, SourceKindDefinition, SourceRequest } from './types.js';

/**
 * Live AWS load balancers: the CLI calls the AWS API (read-only: DescribeLoadBalancers,
 * DescribeLoadBalancerAttributes) and hands the answers to the pure mapping here.
 */
export interface LiveLoadBalancer {
  /** ELBv2: the ARN; Classic ELB: the name. */
  readonly id: string;
  readonly name: string;
  /** `application`, `network`, `gateway` (ELBv2) or `classic`. */
  readonly type: string;
  readonly dnsName?: string | undefined;
  /** Attributes as the API returns them: `idle_timeout.timeout_seconds` → `"60"`. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface LiveLoadBalancerRead {
  /** `elasticloadbalancing` for both APIs (the IAM prefix). */
  readonly service: string;
  readonly region?: string | undefined;
  /** Set when the API was reached through an endpoint override. */
  readonly endpoint?: string | undefined;
  /** When the values were read (ISO-8601). */
  readonly readAt: string;
  readonly loadBalancers: readonly LiveLoadBalancer[];
}

/** The members of `SourceIo` the live sources use (provided by the CLI, packages/cli/src/aws/). */
export interface AwsSourceIo {
  /** `NAME`, an ARN, or `all` (every load balancer of the region, every page). */
  describeAlbs?(locator: string): Promise<LiveLoadBalancerRead>;
  /** Classic ELB: `NAME` or `all`. */
  describeClassicElbs?(locator: string): Promise<LiveLoadBalancerRead>;
}

export const ALB_IDLE_TIMEOUT = 'idle_timeout.timeout_seconds';
export const ALB_CLIENT_KEEP_ALIVE = 'client_keep_alive.seconds';
export const CLB_IDLE_TIMEOUT = 'ConnectionSettings.IdleTimeout';

function liveProvenance(read: LiveLoadBalancerRead, lb: LiveLoadBalancer): Provenance {
  return {
    kind: 'live-api',
    service: read.region ? `${read.service} (${read.region})` : read.service,
    resource: lb.id,
    readAt: read.readAt,
    ...(read.endpoint ? { endpoint: read.endpoint } : {}),
  };
}

function secondsAttribute(
  lb: LiveLoadBalancer,
  key: string,
  read: LiveLoadBalancerRead,
): { ms: number; text: string } | undefined | 'invalid' {
  const raw = lb.attributes[key];
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim())) return 'invalid';
  void read;
  return { ms: Number(raw.trim()) * 1000, text: `${raw.trim()}s` };
}

function mapOne(
  read: LiveLoadBalancerRead,
  lb: LiveLoadBalancer,
  role: HopRole,
  classic: boolean,
): ResolvedSide {
  const provenance = liveProvenance(read, lb);
  const product = classic ? 'aws-clb' : lb.type === 'network' ? 'aws-nlb' : 'aws-alb';
  const label = classic
    ? `Classic ELB ${lb.name}`
    : lb.type === 'network'
      ? `NLB ${lb.name}`
      : `ALB ${lb.name}`;
  const source = `${classic ? 'elb' : 'alb'}:${lb.name}`;
  const diagnostics: string[] = [];
  if (product === 'aws-nlb' || (lb.type !== 'application' && !classic)) {
    return {
      label,
      product: product === 'aws-nlb' ? product : undefined,
      facts: [],
      source,
      diagnostics: [`${lb.name} is a ${lb.type} load balancer, not an Application Load Balancer`],
    };
  }
  const key = classic ? CLB_IDLE_TIMEOUT : ALB_IDLE_TIMEOUT;
  const idle = secondsAttribute(lb, key, read);
  const facts: Fact[] = [];
  const clientKeepAlive = classic ? undefined : secondsAttribute(lb, ALB_CLIENT_KEEP_ALIVE, read);
  const notes: string[] = [];
  if (clientKeepAlive && clientKeepAlive !== 'invalid' && role === 'pool') {
    notes.push(
      `${ALB_CLIENT_KEEP_ALIVE} = ${clientKeepAlive.ms / 1000} s is the client-side connection lifetime (client → ALB), not used for this upstream hop`,
    );
  }
  if (idle === 'invalid') {
    diagnostics.push(
      `${key} of ${lb.name} is not a whole number of seconds: ${JSON.stringify(lb.attributes[key])}`,
    );
    facts.push({
      subject: role === 'pool' ? 'pool-idle' : 'server-keepalive',
      value: { type: 'unset' },
      product,
      setting: key,
      provenance,
    });
  } else if (idle) {
    facts.push({
      subject: role === 'pool' ? 'pool-idle' : 'server-keepalive',
      value: { type: 'duration', ms: idle.ms, text: idle.text },
      product,
      setting: key,
      unit: 'seconds',
      provenance,
      notes: [
        ...notes,
        'the same idle timer governs the client side and the target side of the load balancer',
      ],
    });
  } else {
    // The API did not return the attribute: fall back to the documented default, saying so.
    const fallback = defaultFact(product, role === 'pool' ? 'pool' : 'server');
    facts.push({
      ...fallback,
      notes: [...(fallback.notes ?? []), `the live API returned no ${key} for ${lb.name}`, ...notes],
    });
  }
  if (role === 'server' && clientKeepAlive && clientKeepAlive !== 'invalid') {
    facts.push({
      subject: 'connection-lifetime',
      value: { type: 'duration', ms: clientKeepAlive.ms, text: clientKeepAlive.text },
      product,
      setting: ALB_CLIENT_KEEP_ALIVE,
      unit: 'seconds',
      provenance,
    });
  }
  return { label, product, facts, source, diagnostics: diagnostics.length > 0 ? diagnostics : undefined };
}

/**
 * Maps a live read to resolved sides: one per load balancer. `alb:all` keeps only Application Load
 * Balancers (NLBs and gateways are out of this race) and says how many it skipped.
 */
export function liveLoadBalancerSides(
  read: LiveLoadBalancerRead,
  request: Pick<SourceRequest, 'spec' | 'role' | 'field'>,
  classic: boolean,
): ResolvedSide[] {
  const all = request.spec.locator === 'all';
  const chosen =
    all && !classic ? read.loadBalancers.filter((lb) => lb.type === 'application') : read.loadBalancers;
  if (chosen.length === 0) {
    const skipped = read.loadBalancers.length - chosen.length;
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      `${request.field}: ${request.spec.raw}: no ${classic ? 'Classic' : 'Application'} Load Balancer in ${read.region ?? 'the region'}${skipped > 0 ? ` (${skipped} of another type skipped)` : ''}`,
      { field: request.field },
    );
  }
  return chosen.map((lb) => mapOne(read, lb, request.role, classic));
}

function liveSource(classic: boolean): SourceKindDefinition {
  const kind = classic ? 'elb' : 'alb';
  return {
    kind,
    roles: ['pool', 'server'],
    summary: classic
      ? 'A live AWS Classic Load Balancer (ConnectionSettings.IdleTimeout): elb:NAME or elb:all'
      : 'A live AWS Application Load Balancer (idle_timeout.timeout_seconds): alb:NAME, alb:ARN or alb:all',
    example: classic
      ? '--lb elb:my-classic-lb'
      : '--lb alb:my-alb (region and credentials from the AWS chain)',
    async resolve(request, io: SourceIo & AwsSourceIo) {
      const describe = classic ? io.describeClassicElbs : io.describeAlbs;
      if (typeof describe !== 'function') {
        throw new KeepaliveParityError(
          'KAP_SOURCE_UNAVAILABLE',
          `${request.field}: live AWS reads are not available here`,
          {
            field: request.field,
          },
        );
      }
      const read = await describe.call(io, request.spec.locator);
      return liveLoadBalancerSides(read, request, classic);
    },
  };
}

export const albSource = liveSource(false);
export const elbSource = liveSource(true);
