import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the CloudWatch API on 127.0.0.1, speaking the wire protocol the installed
 * SDK (@aws-sdk/client-cloudwatch 3.x) sends: AWS JSON 1.0 (`POST /`, `Content-Type:
 * application/x-amz-json-1.0`, `X-Amz-Target: GraniteServiceVersion20100801.<Action>`, timestamps
 * as epoch seconds), with awsQueryCompatible errors (`x-amzn-query-error: Code;Sender`). It knows
 * ListMetrics and GetMetricData, pages both (NextToken), can throttle the next calls of an action
 * and answer a metric with StatusCode Forbidden.
 */
export interface FakeMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** [epoch ms of the period start, value]; one statistic (the test writes what the code asks for). */
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface RecordedCall {
  readonly action: string;
  readonly body: Record<string, unknown>;
  readonly signed: boolean;
}

export interface CloudWatchServer {
  readonly url: string;
  readonly calls: RecordedCall[];
  throttle(action: string, times: number): void;
  close(): Promise<void>;
}

const TARGET = 'GraniteServiceVersion20100801.';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sameDimensions(
  a: Readonly<Record<string, string>>,
  b: ReadonlyArray<{ Name: string; Value: string }>,
): boolean {
  return Object.keys(a).length === b.length && b.every((d) => a[d.Name] === d.Value);
}

export async function startCloudWatchServer(
  metrics: readonly FakeMetric[],
  options: { listPageSize?: number; datapointsPerPage?: number; forbidden?: readonly string[] } = {},
): Promise<CloudWatchServer> {
  const calls: RecordedCall[] = [];
  const throttles = new Map<string, number>();
  const listPageSize = options.listPageSize ?? 500;
  const perPage = options.datapointsPerPage ?? 100_800;
  const send = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': '5a4c8b2e-0000-4000-8000-000000000000',
      ...headers,
    });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer(async (req, res) => {
    const text = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith(TARGET) ? target.slice(TARGET.length) : '';
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text || '{}');
    } catch {
      return send(res, 400, { __type: 'com.amazon.coral.service#SerializationException' });
    }
    calls.push({ action, body, signed: /^AWS4-HMAC-SHA256 /.test(String(req.headers.authorization ?? '')) });
    if (req.headers['content-type'] !== 'application/x-amz-json-1.0') {
      return send(res, 400, { __type: 'com.amazon.coral.service#UnknownOperationException' });
    }
    const throttled = throttles.get(action) ?? 0;
    if (throttled > 0) {
      throttles.set(action, throttled - 1);
      return send(
        res,
        400,
        { __type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate exceeded' },
        { 'x-amzn-query-error': 'Throttling;Sender' },
      );
    }
    const start = Number(body.NextToken ?? 0);
    if (action === 'ListMetrics') {
      const filters = (body.Dimensions ?? []) as Array<{ Name: string; Value?: string }>;
      const matching = metrics.filter(
        (m) =>
          m.namespace === body.Namespace &&
          (body.MetricName === undefined || m.name === body.MetricName) &&
          filters.every(
            (f) => f.Name in m.dimensions && (f.Value === undefined || m.dimensions[f.Name] === f.Value),
          ),
      );
      const page = matching.slice(start, start + listPageSize);
      return send(res, 200, {
        Metrics: page.map((m) => ({
          Namespace: m.namespace,
          MetricName: m.name,
          Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
        })),
        ...(start + listPageSize < matching.length ? { NextToken: String(start + listPageSize) } : {}),
      });
    }
    if (action === 'GetMetricData') {
      const from = Number(body.StartTime) * 1000;
      const to = Number(body.EndTime) * 1000;
      const queries = body.MetricDataQueries as Array<{
        Id: string;
        MetricStat: {
          Metric: {
            Namespace: string;
            MetricName: string;
            Dimensions: Array<{ Name: string; Value: string }>;
          };
        };
      }>;
      // Every datapoint of every query in order; a page holds `perPage` of them (an Id can span pages).
      const flat: Array<{ id: string; t: number; v: number }> = [];
      const statusOf = new Map<string, string>();
      for (const q of queries) {
        const m = q.MetricStat.Metric;
        statusOf.set(q.Id, options.forbidden?.includes(m.MetricName) ? 'Forbidden' : 'Complete');
        if (statusOf.get(q.Id) === 'Forbidden') continue;
        const found = metrics.find(
          (x) =>
            x.namespace === m.Namespace &&
            x.name === m.MetricName &&
            sameDimensions(x.dimensions, m.Dimensions ?? []),
        );
        for (const [t, v] of found?.points ?? []) if (t >= from && t < to) flat.push({ id: q.Id, t, v });
      }
      const page = flat.slice(start, start + perPage);
      const more = start + perPage < flat.length;
      const ids = start === 0 ? queries.map((q) => q.Id) : [...new Set(page.map((p) => p.id))];
      return send(res, 200, {
        MetricDataResults: ids.map((id) => {
          const mine = page.filter((p) => p.id === id);
          return {
            Id: id,
            Label: id,
            Timestamps: mine.map((p) => p.t / 1000),
            Values: mine.map((p) => p.v),
            StatusCode: statusOf.get(id) === 'Forbidden' ? 'Forbidden' : more ? 'PartialData' : 'Complete',
          };
        }),
        Messages: [],
        ...(more ? { NextToken: String(start + perPage) } : {}),
      });
    }
    return send(res, 400, { __type: 'com.amazon.coral.service#UnknownOperationException', message: action });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    throttle: (action, times) => throttles.set(action, times),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
