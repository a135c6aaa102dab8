import type { DurationSyntax } from '../duration/syntaxes.js';
import { MORE_PRODUCTS } from './products-more.js';
import { millis, S, seconds } from './setting-helpers.js';

/**
 * A default that depends on the product version. `range` uses a tiny comparator grammar:
 * `>=7.0.0`, `<7.0.0`, `>=1.19.10 <1.29.7`, or `*`. The first entry is the current default,
 * used when no version is given.
 */
export interface VersionedDefault {
  readonly range: string;
  /** ms, or a non-duration state. */
  readonly value: number | 'unbounded' | 'disabled' | 'unknown';
  readonly note?: string;
}

/** How one product writes one timeout, and how to write the fix. */
export interface TimeoutSetting {
  /** Knowledge-base entry this setting's default and source come from. */
  readonly entry: string;
  /** The setting as users write it (`--keep-alive`, `idle_timeout.timeout_seconds`). */
  readonly setting: string;
  /** Unit the setting takes, for people (`seconds`). */
  readonly unit: string;
  readonly syntax: DurationSyntax;
  /** Values are whole multiples of this (1000 for settings in seconds). */
  readonly granularityMs: number;
  readonly minMs?: number;
  readonly maxMs?: number;
  /** Overrides the entry's single default where the default changed between versions. */
  readonly defaults?: readonly VersionedDefault[];
  /** The platform fixes the value: it is not a default anyone can change (GCP's 600 s, Cloudflare's 900 s). */
  readonly fixed?: boolean;
  /**
   * Fix template; `{value}` is replaced by the value in the setting's unit (`65`),
   * `{valueWithUnit}` by a suffixed value where the syntax needs one (`65s`).
   */
  readonly fix: string;
}

export type ProductKind = 'load-balancer' | 'cdn' | 'proxy' | 'server' | 'http-client';

export interface ProductSpec {
  readonly id: string;
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly kind: ProductKind;
  /** The product as the client side of a hop: its idle pool toward servers. */
  readonly pool?: TimeoutSetting;
  /** The product as the server side of a hop: its keep-alive toward its clients. */
  readonly server?: TimeoutSetting;
  /** Closes connections after N requests (a caveat the idle rule does not cover). */
  readonly maxRequests?: {
    readonly entry: string;
    readonly setting: string;
    readonly count: number | 'unbounded';
  };
  /** Closes connections after a fixed lifetime (a caveat the idle rule does not cover). */
  readonly lifetime?: { readonly entry: string; readonly setting: string; readonly ms: number | 'unbounded' };
  /** Extra delay a server adds after its advertised keep-alive before it really closes. */
  readonly closeDelayMs?: { readonly entry: string; readonly ms: number; readonly note: string };
  /** Set when the race described here does not apply to the product. */
  readonly outOfScope?: string;
  readonly notes?: readonly string[];
}

const NODE_SERVER: TimeoutSetting = millis(
  'node-js-http-https-server/server-keepalivetimeout',
  'server.keepAliveTimeout',
  'server.keepAliveTimeout = {value}; server.headersTimeout = {value} + 1000; // ms',
);

/**
 * The products `runtime:NAME` knows. Each points at knowledge-base entries for its defaults and
 * sources; the catalog adds what the table cannot: fix templates and version ranges.
 */
export const PRODUCTS: readonly ProductSpec[] = [
  // ---- Load balancers and CDNs ----
  {
    id: 'aws-alb',
    name: 'AWS Application Load Balancer',
    aliases: ['alb', 'aws-application-load-balancer'],
    kind: 'load-balancer',
    pool: seconds(
      'aws-application-load-balancer/idle-timeout-timeout-seconds',
      'idle_timeout.timeout_seconds',
      'aws elbv2 modify-load-balancer-attributes --load-balancer-arn ARN --attributes Key=idle_timeout.timeout_seconds,Value={value}',
      { minMs: 1 * S, maxMs: 4000 * S },
    ),
    server: seconds(
      'aws-application-load-balancer/idle-timeout-timeout-seconds-2',
      'idle_timeout.timeout_seconds',
      'aws elbv2 modify-load-balancer-attributes --load-balancer-arn ARN --attributes Key=idle_timeout.timeout_seconds,Value={value}',
      { minMs: 1 * S, maxMs: 4000 * S },
    ),
    lifetime: {
      entry: 'aws-application-load-balancer/client-keep-alive-seconds',
      setting: 'client_keep_alive.seconds (client side only)',
      ms: 3_600_000,
    },
  },
  {
    id: 'aws-clb',
    name: 'AWS Classic Load Balancer',
    aliases: ['elb', 'clb', 'aws-elb'],
    kind: 'load-balancer',
    pool: seconds(
      'aws-classic-load-balancer/connectionsettings-idletimeout',
      'ConnectionSettings.IdleTimeout',
      'aws elb modify-load-balancer-attributes --load-balancer-name NAME --load-balancer-attributes "{\\"ConnectionSettings\\":{\\"IdleTimeout\\":{value}}}"',
      { minMs: 1 * S, maxMs: 3600 * S },
    ),
  },
  {
    id: 'aws-nlb',
    name: 'AWS Network Load Balancer',
    aliases: ['nlb'],
    kind: 'load-balancer',
    outOfScope:
      'an NLB is an L4 balancer: it does not pool HTTP connections, so it cannot answer 502 for this race (an expired flow shows up as TCP resets instead)',
  },
  {
    id: 'gcp-alb',
    name: 'Google Cloud global external Application Load Balancer',
    aliases: ['gcp', 'gcp-global-alb', 'gfe'],
    kind: 'load-balancer',
    pool: seconds(
      'gcp-global-external-application-lb-and-classic-a/none',
      '(fixed, not configurable)',
      'not configurable (fixed at 600 s): raise the backend instead',
      { fixed: true },
    ),
    server: seconds(
      'gcp-global-external-application-lb/httpkeepalivetimeoutsec',
      'httpKeepAliveTimeoutSec',
      'gcloud compute target-http-proxies update PROXY --http-keep-alive-timeout-sec={value}',
      {
        minMs: 5 * S,
        maxMs: 1200 * S,
      },
    ),
  },
  {
    id: 'gcp-regional-alb',
    name: 'Google Cloud regional external Application Load Balancer',
    kind: 'load-balancer',
    pool: seconds(
      'gcp-regional-external-application-lb/none',
      '(fixed, not configurable)',
      'not configurable (fixed at 600 s): raise the backend instead',
      { fixed: true },
    ),
  },
  {
    id: 'cloudflare',
    name: 'Cloudflare proxy',
    kind: 'cdn',
    pool: seconds(
      'cloudflare-proxy-origin/proxy-idle-timeout',
      'Proxy Idle Timeout',
      'not a self-serve setting (900 s): raise the origin keep-alive instead',
      { fixed: true },
    ),
    server: seconds(
      'cloudflare/connection-keep-alive-http-1-1',
      'HTTP/1.1 keep-alive',
      'not configurable (400 s)',
      { fixed: true },
    ),
  },
  {
    id: 'cloudfront',
    name: 'Amazon CloudFront',
    kind: 'cdn',
    pool: seconds(
      'amazon-cloudfront-custom-vpc-origin/originkeepalivetimeout',
      'OriginKeepaliveTimeout',
      'CustomOriginConfig.OriginKeepaliveTimeout = {value}',
      {
        minMs: 1 * S,
        maxMs: 180 * S,
      },
    ),
  },
  {
    id: 'azure-appgw',
    name: 'Azure Application Gateway',
    kind: 'load-balancer',
    server: seconds(
      'azure-application-gateway/keep-alive-timeout',
      'keep-alive (fixed)',
      'not configurable (75 s on v2)',
      { fixed: true },
    ),
    pool: seconds(
      'azure-application-gateway-backend-pool/none',
      '(undocumented)',
      'undocumented: no setting is published',
    ),
  },
  // ---- Proxies ----
  {
    id: 'nginx',
    name: 'nginx',
    kind: 'proxy',
    pool: {
      entry: 'nginx/keepalive-timeout',
      setting: 'keepalive_timeout (in upstream {})',
      unit: 'nginx time',
      syntax: 'nginx',
      granularityMs: S,
      fix: 'upstream NAME { ... keepalive_timeout {value}s; }',
    },
    server: {
      entry: 'nginx/keepalive-timeout-timeout-header-timeout',
      setting: 'keepalive_timeout',
      unit: 'nginx time',
      syntax: 'nginx',
      granularityMs: S,
      fix: 'keepalive_timeout {value}s;',
    },
    maxRequests: { entry: 'nginx/keepalive-requests', setting: 'keepalive_requests', count: 1000 },
    lifetime: { entry: 'nginx/keepalive-time', setting: 'keepalive_time', ms: 3_600_000 },
    notes: [
      'nginx pools upstream connections only with `keepalive N` in the upstream block before 1.29.7; from 1.29.7 it pools by default',
    ],
  },
  {
    id: 'ingress-nginx',
    name: 'Kubernetes ingress-nginx',
    kind: 'proxy',
    pool: seconds(
      'kubernetes-ingress-nginx/upstream-keepalive-timeout',
      'upstream-keepalive-timeout (ConfigMap)',
      'ConfigMap ingress-nginx-controller: upstream-keepalive-timeout: "{value}"',
    ),
    server: seconds(
      'kubernetes-ingress-nginx/keep-alive-keep-alive-requests',
      'keep-alive (ConfigMap)',
      'ConfigMap ingress-nginx-controller: keep-alive: "{value}"',
    ),
    maxRequests: {
      entry: 'kubernetes-ingress-nginx/upstream-keepalive-requests',
      setting: 'upstream-keepalive-requests',
      count: 10000,
    },
    lifetime: {
      entry: 'kubernetes-ingress-nginx/upstream-keepalive-time',
      setting: 'upstream-keepalive-time',
      ms: 3_600_000,
    },
  },
  {
    id: 'haproxy',
    name: 'HAProxy',
    kind: 'proxy',
    pool: {
      entry: 'haproxy/none',
      setting: '(no idle timer on pooled server connections)',
      unit: 'HAProxy time',
      syntax: 'haproxy',
      granularityMs: 1,
      defaults: [{ range: '*', value: 'unbounded' }],
      fix: 'not expressible: HAProxy has no idle timer for pooled server connections; add `retry-on conn-failure empty-response response-timeout` with `retries 3`, or `http-reuse never`',
    },
    server: {
      entry: 'haproxy/timeout-http-keep-alive',
      setting: 'timeout http-keep-alive',
      unit: 'HAProxy time (bare number = ms)',
      syntax: 'haproxy',
      granularityMs: 1,
      fix: 'timeout http-keep-alive {value}ms',
    },
  },
  {
    id: 'envoy',
    name: 'Envoy',
    kind: 'proxy',
    pool: {
      entry: 'envoy/common-http-protocol-options-idle-timeout',
      setting: 'common_http_protocol_options.idle_timeout (cluster)',
      unit: 'protobuf Duration',
      syntax: 'protobuf',
      granularityMs: 1,
      fix: 'clusters[].typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"].common_http_protocol_options.idle_timeout: "{seconds}s"',
    },
    server: {
      entry: 'envoy/httpconnectionmanager-common-http-protocol-optio',
      setting: 'HttpConnectionManager.common_http_protocol_options.idle_timeout',
      unit: 'protobuf Duration',
      syntax: 'protobuf',
      granularityMs: 1,
      fix: 'common_http_protocol_options.idle_timeout: "{seconds}s"',
    },
    lifetime: {
      entry: 'envoy/common-http-protocol-options-max-connection-dura',
      setting: 'max_connection_duration',
      ms: 'unbounded',
    },
  },
  {
    id: 'istio',
    name: 'Istio',
    kind: 'proxy',
    pool: {
      entry: 'istio/destinationrule-spec-trafficpolicy-connectionpoo',
      setting: 'DestinationRule trafficPolicy.connectionPool.http.idleTimeout',
      unit: 'duration',
      syntax: 'go',
      granularityMs: 1,
      fix: 'trafficPolicy: { connectionPool: { http: { idleTimeout: {seconds}s } } }',
    },
  },
  {
    id: 'traefik',
    name: 'Traefik',
    kind: 'proxy',
    pool: {
      entry: 'traefik-v2-v3/serverstransport-forwardingtimeouts-idleconntime',
      setting: 'serversTransport.forwardingTimeouts.idleConnTimeout',
      unit: 'Go duration (bare integer = seconds)',
      syntax: 'go',
      granularityMs: 1,
      fix: 'serversTransport: { forwardingTimeouts: { idleConnTimeout: {seconds}s } }',
    },
    server: {
      entry: 'traefik-v2-v3/entrypoints-name-transport-respondingtimeouts-id',
      setting: 'entryPoints.NAME.transport.respondingTimeouts.idleTimeout',
      unit: 'Go duration (bare integer = seconds)',
      syntax: 'go',
      granularityMs: 1,
      fix: 'entryPoints: { NAME: { transport: { respondingTimeouts: { idleTimeout: {seconds}s } } } }',
    },
  },
  {
    id: 'caddy',
    name: 'Caddy',
    kind: 'proxy',
    pool: {
      entry: 'caddy-v2/reverse-proxy-transport-http-keepalive-duration',
      setting: 'reverse_proxy transport http { keepalive }',
      unit: 'Caddy duration',
      syntax: 'caddy',
      granularityMs: 1,
      fix: 'reverse_proxy ... { transport http { keepalive {seconds}s } }',
    },
    server: {
      entry: 'caddy-v2/servers-idle-timeout',
      setting: 'servers { timeouts { idle } }',
      unit: 'Caddy duration',
      syntax: 'caddy',
      granularityMs: 1,
      fix: '{ servers { timeouts { idle {seconds}s } } }',
    },
  },
  {
    id: 'apache-proxy',
    name: 'Apache httpd mod_proxy',
    aliases: ['mod_proxy'],
    kind: 'proxy',
    pool: seconds(
      'apache-httpd-mod-proxy/ttl',
      'ProxyPass ... ttl=',
      'ProxyPass "/" "http://backend/" ttl={value}',
      {
        syntax: 'apache',
        defaults: [
          {
            range: '*',
            value: 'unbounded',
            note: 'no ttl: pooled connections are reused until the backend closes them',
          },
        ],
      },
    ),
  },
  {
    id: 'kong',
    name: 'Kong Gateway',
    kind: 'proxy',
    pool: seconds(
      'kong-gateway/upstream-keepalive-idle-timeout',
      'upstream_keepalive_idle_timeout',
      'KONG_UPSTREAM_KEEPALIVE_IDLE_TIMEOUT={value}',
    ),
  },
  {
    id: 'varnish',
    name: 'Varnish Cache',
    kind: 'proxy',
    pool: seconds(
      'varnish-cache/backend-idle-timeout',
      'backend_idle_timeout',
      'varnishd -p backend_idle_timeout={value}',
    ),
    server: seconds('varnish-cache/timeout-idle', 'timeout_idle', 'varnishd -p timeout_idle={value}'),
  },
  // ---- Servers ----
  {
    id: 'node',
    name: 'Node.js http.Server',
    aliases: ['nodejs', 'node-http'],
    kind: 'server',
    server: NODE_SERVER,
    closeDelayMs: {
      entry: 'node-js-http-server/server-keepalivetimeoutbuffer',
      ms: 1000,
      note: 'Node closes idle sockets about 1 s after keepAliveTimeout (an internal buffer; measured 2003 ms for keepAliveTimeout=1000 on Node 20.20.2) while advertising keepAliveTimeout',
    },
  },
  {
    id: 'express',
    name: 'Express',
    kind: 'server',
    server: { ...NODE_SERVER, entry: 'express/set-server-keepalivetimeout-on-the-object-return' },
  },
  {
    id: 'hapi',
    name: 'hapi',
    kind: 'server',
    server: {
      ...NODE_SERVER,
      entry: 'hapi/server-listener-keepalivetimeout',
      setting: 'server.listener.keepAliveTimeout',
    },
  },
  {
    id: 'fastify',
    name: 'Fastify',
    kind: 'server',
    server: millis('fastify/keepalivetimeout', 'keepAliveTimeout', 'Fastify({ keepAliveTimeout: {value} })', {
      defaults: [
        { range: '>=4.0.0', value: 72_000 },
        { range: '<4.0.0', value: 5_000 },
      ],
    }),
  },
  {
    id: 'nextjs',
    name: 'Next.js (next start)',
    aliases: ['next'],
    kind: 'server',
    server: millis(
      'next-js/keepalivetimeout-ms-env-keep-alive-timeout',
      '--keepAliveTimeout',
      'next start --keepAliveTimeout {value}',
    ),
  },
  {
    id: 'gunicorn',
    name: 'gunicorn',
    kind: 'server',
    server: seconds('gunicorn/keepalive', '--keep-alive', 'gunicorn --keep-alive {value}'),
    notes: [
      'the 2 s keep-alive applies to the gthread, gevent and eventlet workers; the default sync worker closes after every response (no keep-alive, so no race): use runtime:gunicorn-sync for it',
    ],
  },
  {
    id: 'gunicorn-sync',
    name: 'gunicorn (sync worker)',
    kind: 'server',
    server: seconds(
      'gunicorn/keepalive',
      '--keep-alive',
      'gunicorn --keep-alive {value} with a gthread worker (-k gthread)',
      {
        defaults: [
          {
            range: '*',
            value: 'disabled',
            note: 'the sync worker closes the connection after every response',
          },
        ],
      },
    ),
  },
  {
    id: 'uvicorn',
    name: 'uvicorn',
    kind: 'server',
    server: seconds(
      'uvicorn/timeout-keep-alive',
      '--timeout-keep-alive',
      'uvicorn --timeout-keep-alive {value}',
    ),
  },
  {
    id: 'hypercorn',
    name: 'hypercorn',
    kind: 'server',
    server: seconds('hypercorn/keep-alive-timeout', 'keep_alive_timeout', 'hypercorn --keep-alive {value}'),
    maxRequests: { entry: 'hypercorn/keep-alive-timeout', setting: 'keep_alive_max_requests', count: 1000 },
  },
  {
    id: 'waitress',
    name: 'waitress',
    kind: 'server',
    server: seconds(
      'waitress/channel-timeout',
      'channel_timeout',
      'waitress-serve --channel-timeout={value}',
    ),
  },
  {
    id: 'go',
    name: 'Go net/http Server',
    aliases: ['go-http', 'golang'],
    kind: 'server',
    server: {
      entry: 'go-net-http-server/server-idletimeout',
      setting: 'Server.IdleTimeout',
      unit: 'time.Duration',
      syntax: 'go',
      granularityMs: 1,
      defaults: [
        {
          range: '*',
          value: 'unbounded',
          note: 'zero IdleTimeout falls back to ReadTimeout; with both zero, idle connections never time out',
        },
      ],
      fix: 'srv := &http.Server{IdleTimeout: {seconds} * time.Second}',
    },
  },
  {
    id: 'puma',
    name: 'Puma',
    kind: 'server',
    server: seconds(
      'puma/persistent-timeout',
      'persistent_timeout',
      'persistent_timeout {value}  # config/puma.rb',
      {
        defaults: [
          { range: '>=7.0.0', value: 65_000 },
          { range: '<7.0.0', value: 20_000 },
        ],
      },
    ),
  },
  {
    id: 'unicorn',
    name: 'Unicorn',
    kind: 'server',
    server: seconds('unicorn/no-persistent-connections', '(none)', 'Unicorn has no keep-alive', {
      defaults: [{ range: '*', value: 'disabled' }],
    }),
  },
  {
    id: 'tomcat',
    name: 'Apache Tomcat',
    kind: 'server',
    server: millis(
      'apache-tomcat/keepalivetimeout',
      'keepAliveTimeout',
      '<Connector ... keepAliveTimeout="{value}" />',
    ),
    maxRequests: { entry: 'apache-tomcat/keepalivetimeout', setting: 'maxKeepAliveRequests', count: 100 },
    notes: [
      'keepAliveTimeout defaults to connectionTimeout: 60000 ms in code, but the stock conf/server.xml sets 20000 ms',
    ],
  },
  {
    id: 'jetty',
    name: 'Jetty',
    kind: 'server',
    server: millis(
      'jetty/serverconnector-idletimeout',
      'ServerConnector idleTimeout',
      'connector.setIdleTimeout({value})',
    ),
  },
  {
    id: 'kestrel',
    name: 'ASP.NET Core Kestrel',
    aliases: ['aspnetcore'],
    kind: 'server',
    server: {
      entry: 'asp-net-core-kestrel/kestrelserverlimits-keepalivetimeout',
      setting: 'Kestrel:Limits:KeepAliveTimeout',
      unit: 'TimeSpan',
      syntax: 'timespan',
      granularityMs: S,
      fix: '"Kestrel": { "Limits": { "KeepAliveTimeout": "{timespan}" } }',
    },
  },
  {
    id: 'actix-web',
    name: 'actix-web',
    kind: 'server',
    server: {
      ...seconds(
        'actix-web/httpserver-keep-alive',
        'HttpServer::keep_alive',
        'HttpServer::new(..).keep_alive(Duration::from_secs({value}))',
      ),
    },
  },
  {
    id: 'cowboy',
    name: 'Cowboy 2.x',
    kind: 'server',
    server: millis('cowboy-2-x/request-timeout', 'request_timeout', '#{request_timeout => {value}}'),
  },
  {
    id: 'ktor-cio',
    name: 'Ktor CIO',
    kind: 'server',
    server: seconds(
      'ktor-cio-engine/connectionidletimeoutseconds',
      'connectionIdleTimeoutSeconds',
      'connectionIdleTimeoutSeconds = {value}',
    ),
  },
  {
    id: 'apache-httpd',
    name: 'Apache httpd',
    aliases: ['apache', 'httpd'],
    kind: 'server',
    server: seconds('apache-httpd/keepalivetimeout', 'KeepAliveTimeout', 'KeepAliveTimeout {value}', {
      syntax: 'apache',
    }),
    maxRequests: { entry: 'apache-httpd/keepalivetimeout', setting: 'MaxKeepAliveRequests', count: 100 },
  },
  // ---- HTTP client pools ----
  {
    id: 'node-agent',
    name: 'Node.js http.Agent({ keepAlive: true })',
    kind: 'http-client',
    pool: millis(
      'node-js-http-agent/keepalive-timeout',
      'new http.Agent({ keepAlive: true, timeout })',
      'new http.Agent({ keepAlive: true, timeout: {value} })',
      {
        defaults: [
          {
            range: '*',
            value: 'unbounded',
            note: 'an Agent without a timeout keeps idle sockets until the server closes them',
          },
        ],
      },
    ),
  },
  {
    id: 'node-global-agent',
    name: 'Node.js http.globalAgent',
    kind: 'http-client',
    pool: millis(
      'node-js-http-https-globalagent/none',
      'http.globalAgent timeout',
      'http.globalAgent = new http.Agent({ keepAlive: true, timeout: {value} })',
    ),
  },
  {
    id: 'agentkeepalive',
    name: 'agentkeepalive',
    kind: 'http-client',
    pool: millis(
      'agentkeepalive/freesockettimeout',
      'freeSocketTimeout',
      'new Agent({ freeSocketTimeout: {value} })',
    ),
  },
  {
    id: 'undici',
    name: 'undici / Node fetch()',
    aliases: ['fetch'],
    kind: 'http-client',
    pool: millis('undici/keepalivetimeout', 'keepAliveTimeout', 'new Agent({ keepAliveTimeout: {value} })'),
  },
  {
    id: 'go-transport',
    name: 'Go net/http Transport',
    kind: 'http-client',
    pool: {
      entry: 'go-net-http-transport/transport-idleconntimeout',
      setting: 'Transport.IdleConnTimeout',
      unit: 'time.Duration',
      syntax: 'go',
      granularityMs: 1,
      fix: '&http.Transport{IdleConnTimeout: {seconds} * time.Second}',
    },
  },
  {
    id: 'aiohttp',
    name: 'aiohttp',
    kind: 'http-client',
    pool: seconds(
      'aiohttp/tcpconnector',
      'TCPConnector(keepalive_timeout=)',
      'aiohttp.TCPConnector(keepalive_timeout={value})',
    ),
  },
  {
    id: 'httpx',
    name: 'httpx',
    kind: 'http-client',
    pool: seconds(
      'httpx-httpcore/limits',
      'Limits(keepalive_expiry=)',
      'httpx.Limits(keepalive_expiry={value})',
    ),
  },
  {
    id: 'java-httpclient',
    name: 'Java java.net.http.HttpClient',
    kind: 'http-client',
    pool: seconds(
      'java-java-net-http-httpclient/jdk-httpclient-keepalive-timeout',
      'jdk.httpclient.keepalive.timeout',
      '-Djdk.httpclient.keepalive.timeout={value}',
      {
        defaults: [
          { range: '>=20.0.0', value: 30_000 },
          { range: '<20.0.0', value: 1_200_000 },
        ],
      },
    ),
  },
  {
    id: 'okhttp',
    name: 'OkHttp',
    kind: 'http-client',
    pool: seconds(
      'okhttp/connectionpool',
      'ConnectionPool keepAliveDuration',
      'ConnectionPool(5, {value}, TimeUnit.SECONDS)',
    ),
  },
  {
    id: 'dotnet-httpclient',
    name: '.NET SocketsHttpHandler',
    kind: 'http-client',
    pool: {
      entry: 'net-socketshttphandler/pooledconnectionidletimeout',
      setting: 'PooledConnectionIdleTimeout',
      unit: 'TimeSpan',
      syntax: 'timespan',
      granularityMs: S,
      defaults: [
        { range: '>=6.0.0', value: 60_000 },
        { range: '<6.0.0', value: 120_000 },
      ],
      fix: 'new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds({value}) }',
    },
  },
  {
    id: 'python-requests',
    name: 'Python requests / urllib3',
    aliases: ['requests', 'urllib3'],
    kind: 'http-client',
    pool: seconds(
      'python-requests-urllib3/none',
      '(none)',
      'no idle expiry setting: retry connection errors for idempotent requests (urllib3 Retry)',
      {
        defaults: [{ range: '*', value: 'unbounded', note: 'urllib3 pools have no idle expiry' }],
      },
    ),
  },
  // Issue 11: platforms and servers named by public incident reports (products-more.ts).
  ...MORE_PRODUCTS,
];

const BY_NAME = new Map<string, ProductSpec>();
for (const product of PRODUCTS) {
  BY_NAME.set(product.id, product);
  for (const alias of product.aliases ?? []) BY_NAME.set(alias, product);
}

export function findProduct(name: string): ProductSpec | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

export function productIds(): string[] {
  return PRODUCTS.map((p) => p.id);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The known product ids closest to an unknown name (typos, other spellings): names that contain
 * it or that it contains first, then by edit distance over ids and aliases. At most `limit`.
 */
export function closestProducts(name: string, limit = 3): string[] {
  const needle = name.trim().toLowerCase();
  const scored = new Map<string, number>();
  for (const [alias, product] of BY_NAME) {
    const contains = needle.length >= 3 && (alias.includes(needle) || needle.includes(alias));
    const score = contains ? 0 : editDistance(needle, alias) / Math.max(needle.length, alias.length);
    const best = scored.get(product.id);
    if (best === undefined || score < best) scored.set(product.id, score);
  }
  return [...scored]
    .filter(([, score]) => score <= 0.5)
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([id]) => id);
}

/** "unknown product X; did you mean a, b? (keepalive-parity defaults --products lists them all)". */
export function unknownProductMessage(name: string): string {
  const near = closestProducts(name);
  return `unknown product ${JSON.stringify(name)}${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ''} (keepalive-parity defaults --products lists every known product)`;
}
