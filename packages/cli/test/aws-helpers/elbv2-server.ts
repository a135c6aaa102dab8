import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the ELBv2 Query API (2015-12-01) on 127.0.0.1, answering in XML the way AWS
 * does, so the real AWS SDK can be pointed at it with its standard endpoint override. It knows
 * DescribeLoadBalancers (Names, LoadBalancerArns, Marker/PageSize paging) and
 * DescribeLoadBalancerAttributes, and can be told to deny an action or throttle the next calls.
 */
export interface FakeLoadBalancer {
  readonly name: string;
  readonly type?: 'application' | 'network' | 'gateway';
  readonly attributes: Record<string, string>;
}

/** A Classic Load Balancer (API 2012-06-01). */
export interface FakeClassicLoadBalancer {
  readonly name: string;
  readonly idleTimeoutSeconds: number;
}

export interface RecordedRequest {
  readonly action: string;
  readonly params: Record<string, string>;
  /** Whether the request was SigV4-signed (the header itself is never kept). */
  readonly signed: boolean;
}

export interface Elbv2Server {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Deny an action with AccessDenied (403), as IAM does. */
  deny(action: string): void;
  /** Answer the next `times` calls of an action with `Throttling` (400). */
  throttle(action: string, times: number): void;
  close(): Promise<void>;
}

const NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

export function arnOf(lb: FakeLoadBalancer): string {
  const kind = lb.type === 'network' ? 'net' : lb.type === 'gateway' ? 'gwy' : 'app';
  return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/${kind}/${lb.name}/50dc6c495c0c9188`;
}

function requestId(): string {
  return '8f3c1a2b-0000-4000-8000-000000000000';
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${NS}">
  <Error>
    <Type>Sender</Type>
    <Code>${code}</Code>
    <Message>${escapeXml(message)}</Message>
  </Error>
  <RequestId>${requestId()}</RequestId>
</ErrorResponse>`;
}

function lbXml(lb: FakeLoadBalancer): string {
  return `      <member>
        <LoadBalancerArn>${arnOf(lb)}</LoadBalancerArn>
        <Scheme>internet-facing</Scheme>
        <LoadBalancerName>${escapeXml(lb.name)}</LoadBalancerName>
        <VpcId>vpc-3ac0fb5f</VpcId>
        <CanonicalHostedZoneId>Z2P70J7EXAMPLE</CanonicalHostedZoneId>
        <CreatedTime>2016-03-25T21:26:12.920Z</CreatedTime>
        <AvailabilityZones>
          <member><SubnetId>subnet-8360a9e7</SubnetId><ZoneName>${REGION}a</ZoneName></member>
        </AvailabilityZones>
        <SecurityGroups><member>sg-5943793c</member></SecurityGroups>
        <DNSName>${escapeXml(lb.name)}-1234567890.${REGION}.elb.amazonaws.com</DNSName>
        <State><Code>active</Code></State>
        <Type>${lb.type ?? 'application'}</Type>
        <IpAddressType>ipv4</IpAddressType>
      </member>`;
}

function members(params: Record<string, string>, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${prefix}.member.${i}`] !== undefined; i++)
    out.push(params[`${prefix}.member.${i}`]!);
  return out;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startElbv2Server(
  loadBalancers: readonly FakeLoadBalancer[],
  options: { pageSize?: number; classic?: readonly FakeClassicLoadBalancer[] } = {},
): Promise<Elbv2Server> {
  const requests: RecordedRequest[] = [];
  const denied = new Set<string>();
  const throttles = new Map<string, number>();
  const serverPageSize = options.pageSize ?? 400;

  const send = (res: ServerResponse, status: number, xml: string) => {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId() });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
  };

  const CLASSIC_NS = 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/';
  const classic = (res: ServerResponse, action: string, params: Record<string, string>) => {
    const all = options.classic ?? [];
    const wrap = (name: string, result: string) =>
      `<${name}Response xmlns="${CLASSIC_NS}">\n  <${name}Result>\n${result}\n  </${name}Result>\n  <ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata>\n</${name}Response>`;
    const notFound = (name: string) =>
      send(
        res,
        400,
        errorXml('LoadBalancerNotFound', `There is no ACTIVE Load Balancer named '${name}'`).replace(
          NS,
          CLASSIC_NS,
        ),
      );
    if (action === 'DescribeLoadBalancers') {
      const names = members(params, 'LoadBalancerNames');
      const missing = names.find((n) => !all.some((lb) => lb.name === n));
      if (missing) return notFound(missing);
      const selected = names.length > 0 ? all.filter((lb) => names.includes(lb.name)) : [...all];
      const start = params.Marker ? Number(params.Marker) : 0;
      const page = selected.slice(start, start + serverPageSize);
      const next = start + serverPageSize < selected.length ? String(start + serverPageSize) : undefined;
      const described = page
        .map(
          (lb) =>
            `      <member>\n        <LoadBalancerName>${escapeXml(lb.name)}</LoadBalancerName>\n        <DNSName>${escapeXml(lb.name)}-1.${REGION}.elb.amazonaws.com</DNSName>\n        <Scheme>internet-facing</Scheme>\n      </member>`,
        )
        .join('\n');
      return send(
        res,
        200,
        wrap(
          'DescribeLoadBalancers',
          `${next ? `    <NextMarker>${next}</NextMarker>\n` : ''}    <LoadBalancerDescriptions>\n${described}\n    </LoadBalancerDescriptions>`,
        ),
      );
    }
    if (action === 'DescribeLoadBalancerAttributes') {
      const lb = all.find((l) => l.name === params.LoadBalancerName);
      if (!lb) return notFound(params.LoadBalancerName ?? '');
      return send(
        res,
        200,
        wrap(
          'DescribeLoadBalancerAttributes',
          `    <LoadBalancerAttributes>\n      <ConnectionDraining><Enabled>false</Enabled><Timeout>300</Timeout></ConnectionDraining>\n      <CrossZoneLoadBalancing><Enabled>true</Enabled></CrossZoneLoadBalancing>\n      <ConnectionSettings><IdleTimeout>${lb.idleTimeoutSeconds}</IdleTimeout></ConnectionSettings>\n    </LoadBalancerAttributes>`,
        ),
      );
    }
    return send(
      res,
      400,
      errorXml('InvalidAction', `The action ${action} is not valid for this web service.`).replace(
        NS,
        CLASSIC_NS,
      ),
    );
  };

  const server: Server = createServer(async (req, res) => {
    const params = Object.fromEntries(new URLSearchParams(await body(req)));
    const action = params.Action ?? '';
    requests.push({
      action,
      params,
      signed: /^AWS4-HMAC-SHA256 /.test(String(req.headers.authorization ?? '')),
    });
    if (params.Version === '2012-06-01') return classic(res, action, params);
    if (params.Version !== '2015-12-01')
      return send(res, 400, errorXml('InvalidAction', `bad Version ${params.Version}`));
    if (denied.has(action)) {
      return send(
        res,
        403,
        errorXml(
          'AccessDenied',
          `User: arn:aws:iam::${ACCOUNT}:user/ci-deployer is not authorized to perform: elasticloadbalancing:${action} because no identity-based policy allows the elasticloadbalancing:${action} action`,
        ),
      );
    }
    const throttled = throttles.get(action) ?? 0;
    if (throttled > 0) {
      throttles.set(action, throttled - 1);
      return send(res, 400, errorXml('Throttling', 'Rate exceeded'));
    }
    if (action === 'DescribeLoadBalancers') {
      const names = members(params, 'Names');
      const arns = members(params, 'LoadBalancerArns');
      let selected: FakeLoadBalancer[] = [...loadBalancers];
      if (names.length > 0 || arns.length > 0) {
        selected = loadBalancers.filter((lb) => names.includes(lb.name) || arns.includes(arnOf(lb)));
        const missing = [
          ...names.filter((n) => !loadBalancers.some((lb) => lb.name === n)),
          ...arns.filter((a) => !loadBalancers.some((lb) => arnOf(lb) === a)),
        ];
        if (missing.length > 0) {
          return send(
            res,
            400,
            errorXml('LoadBalancerNotFound', `Load balancers '[${missing.join(', ')}]' not found`),
          );
        }
      }
      const start = params.Marker ? Number(Buffer.from(params.Marker, 'base64').toString('utf8')) : 0;
      const size = Math.min(Number(params.PageSize ?? 400), serverPageSize);
      const page = selected.slice(start, start + size);
      const next =
        start + size < selected.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
      return send(
        res,
        200,
        `<DescribeLoadBalancersResponse xmlns="${NS}">
  <DescribeLoadBalancersResult>
    <LoadBalancers>
${page.map(lbXml).join('\n')}
    </LoadBalancers>${next ? `\n    <NextMarker>${next}</NextMarker>` : ''}
  </DescribeLoadBalancersResult>
  <ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata>
</DescribeLoadBalancersResponse>`,
      );
    }
    if (action === 'DescribeLoadBalancerAttributes') {
      const lb = loadBalancers.find((l) => arnOf(l) === params.LoadBalancerArn);
      if (!lb)
        return send(
          res,
          400,
          errorXml('LoadBalancerNotFound', `Load balancer '${params.LoadBalancerArn}' not found`),
        );
      return send(
        res,
        200,
        `<DescribeLoadBalancerAttributesResponse xmlns="${NS}">
  <DescribeLoadBalancerAttributesResult>
    <Attributes>
${Object.entries(lb.attributes)
  .map(([k, v]) => `      <member><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></member>`)
  .join('\n')}
    </Attributes>
  </DescribeLoadBalancerAttributesResult>
  <ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata>
</DescribeLoadBalancerAttributesResponse>`,
      );
    }
    return send(
      res,
      400,
      errorXml('InvalidAction', `The action ${action} is not valid for this web service.`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    deny: (action) => denied.add(action),
    throttle: (action, times) => throttles.set(action, times),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Environment for the spawned CLI: dummy credentials, the region, the endpoint override, no IMDS. */
export function awsTestEnv(endpoint: string | undefined, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLETESTONLY',
    AWS_SECRET_ACCESS_KEY: 'test-secret-not-real',
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_PROFILE: '',
    ...(endpoint ? { AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: endpoint } : {}),
    ...extra,
  };
}
