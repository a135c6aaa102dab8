import type { ProductSpec, TimeoutSetting } from './products.js';
import { S, seconds } from './setting-helpers.js';

/**
 * Products added for issue 11 (platforms and servers that public incident reports name), kept in
 * their own file so the catalog in products.ts stays easy to merge. Each points at a row of
 * additions.data.ts (or defaults.data.ts) for its default and source; the fix is written in the
 * product's own words (its config file, property or flag).
 */

/** A Spring Boot `Duration` property: written with a unit suffix (`75s`); a bare number is ms. */
const springDuration = (entry: string, property: string, extra: Partial<TimeoutSetting> = {}) => ({
  entry,
  setting: property,
  unit: 'Spring Boot Duration (bare number = ms)',
  syntax: 'go' as const,
  granularityMs: S,
  fix: `${property}={seconds}s  # application.properties (application.yml: ${property.split('.').join(': ')}: {seconds}s)`,
  ...extra,
});

export const MORE_PRODUCTS: readonly ProductSpec[] = [
  // ---- Platforms ----
  {
    id: 'cf-gorouter',
    name: 'Cloud Foundry gorouter',
    aliases: ['gorouter', 'cloud-foundry', 'cloudfoundry', 'tanzu-gorouter'],
    kind: 'load-balancer',
    pool: seconds(
      'cloud-foundry-gorouter/backend-idleconntimeout',
      'backend IdleConnTimeout (fixed in gorouter)',
      'not configurable (90 s in gorouter): raise the app keep-alive above 90 s, or set router.max_idle_connections: 0 (routing-release) so gorouter does not reuse backend connections',
      { fixed: true },
    ),
  },
  {
    id: 'azure-app-service',
    name: 'Azure App Service front end',
    aliases: ['app-service', 'azure-web-app', 'azure-webapp'],
    kind: 'load-balancer',
    pool: seconds(
      'azure-app-service-front-end/none',
      '(not documented)',
      'not configurable and not documented: measure the front end (probe:URL through it) and raise the app keep-alive above what it keeps',
      {
        defaults: [
          {
            range: '*',
            value: 'unknown',
            note: 'Microsoft documents a 230 s request timeout for the front end, which is a response timeout, not the idle timeout of its pooled connections to the app',
          },
        ],
      },
    ),
  },
  // ---- Proxies ----
  {
    id: 'apisix',
    name: 'Apache APISIX',
    aliases: ['apache-apisix'],
    kind: 'proxy',
    pool: {
      entry: 'apache-apisix/nginx-config-http-upstream-keepalive-timeout',
      setting: 'nginx_config.http.upstream.keepalive_timeout',
      unit: 'nginx time',
      syntax: 'nginx',
      granularityMs: S,
      fix: 'conf/config.yaml: nginx_config: { http: { upstream: { keepalive_timeout: {seconds}s } } }; per upstream: "keepalive_pool": { "idle_timeout": {seconds} }',
    },
    server: {
      entry: 'apache-apisix/nginx-config-http-keepalive-timeout',
      setting: 'nginx_config.http.keepalive_timeout',
      unit: 'nginx time',
      syntax: 'nginx',
      granularityMs: S,
      fix: 'conf/config.yaml: nginx_config: { http: { keepalive_timeout: {seconds}s } }',
    },
    maxRequests: {
      entry: 'apache-apisix/nginx-config-http-upstream-keepalive-timeout',
      setting: 'nginx_config.http.upstream.keepalive_requests',
      count: 1000,
    },
  },
  {
    id: 'fabio',
    name: 'Fabio',
    aliases: ['fabiolb'],
    kind: 'proxy',
    pool: {
      entry: 'fabio/proxy-idleconntimeout',
      setting: 'proxy.idleconntimeout',
      unit: 'Go duration',
      syntax: 'go',
      granularityMs: 1,
      defaults: [
        {
          range: '*',
          value: 'unbounded',
          note: 'proxy.idleconntimeout is 0 by default: idle pooled connections never expire. proxy.keepalivetimeout is the TCP keep-alive probe interval, not this timer',
        },
      ],
      fix: 'proxy.idleconntimeout = {seconds}s  # fabio.properties (proxy.keepalivetimeout is TCP keep-alive and does not help)',
    },
  },
  {
    id: 'h2o',
    name: 'H2O',
    kind: 'proxy',
    pool: {
      entry: 'h2o/proxy-timeout-keepalive',
      setting: 'proxy.timeout.keepalive',
      unit: 'milliseconds',
      syntax: 'integer-milliseconds',
      granularityMs: 1,
      fix: 'proxy.timeout.keepalive: {value}  # h2o.conf, milliseconds',
    },
    server: seconds(
      'h2o/http1-request-timeout',
      'http1-request-timeout',
      'http1-request-timeout: {value}  # h2o.conf, seconds',
    ),
  },
  // ---- Servers ----
  {
    id: 'sanic',
    name: 'Sanic',
    kind: 'server',
    server: seconds(
      'sanic/keep-alive-timeout',
      'KEEP_ALIVE_TIMEOUT',
      'app.config.KEEP_ALIVE_TIMEOUT = {value}  # or env SANIC_KEEP_ALIVE_TIMEOUT={value}',
      {
        defaults: [
          { range: '>=23.3.0', value: 120_000 },
          {
            range: '<23.3.0',
            value: 5_000,
            note: 'before PR sanic-org/sanic#2670 (2023) the default was 5 s; the first release with 120 s is taken as 23.3',
          },
        ],
      },
    ),
  },
  {
    id: 'bandit',
    name: 'Bandit (Elixir)',
    aliases: ['bandit-elixir', 'thousand-island'],
    kind: 'server',
    server: {
      entry: 'bandit/thousand-island-options-read-timeout-ms',
      setting: 'thousand_island_options: [read_timeout: ms]',
      unit: 'milliseconds',
      syntax: 'integer-milliseconds',
      granularityMs: 1,
      fix: 'config :my_app, MyAppWeb.Endpoint, http: [thousand_island_options: [read_timeout: {value}]]',
    },
  },
  {
    id: 'undertow',
    name: 'Undertow',
    kind: 'server',
    server: {
      entry: 'undertow/no-request-timeout',
      setting: 'UndertowOptions.NO_REQUEST_TIMEOUT',
      unit: 'milliseconds',
      syntax: 'integer-milliseconds',
      granularityMs: 1,
      fix: 'Undertow.builder().setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, {value})',
    },
  },
  {
    id: 'spring-boot-tomcat',
    name: 'Spring Boot embedded Tomcat',
    aliases: ['server.tomcat.keep-alive-timeout', 'spring-boot', 'spring-tomcat'],
    kind: 'server',
    server: springDuration(
      'spring-boot/server-tomcat-keep-alive-timeout',
      'server.tomcat.keep-alive-timeout',
    ),
    maxRequests: {
      entry: 'spring-boot/server-tomcat-keep-alive-timeout',
      setting: 'server.tomcat.max-keep-alive-requests',
      count: 100,
    },
  },
  {
    id: 'spring-boot-jetty',
    name: 'Spring Boot embedded Jetty',
    aliases: ['server.jetty.connection-idle-timeout', 'spring-jetty'],
    kind: 'server',
    server: springDuration(
      'spring-boot/server-jetty-connection-idle-timeout',
      'server.jetty.connection-idle-timeout',
    ),
  },
  {
    id: 'spring-boot-undertow',
    name: 'Spring Boot embedded Undertow',
    aliases: ['server.undertow.no-request-timeout', 'spring-undertow'],
    kind: 'server',
    server: springDuration(
      'spring-boot/server-undertow-no-request-timeout',
      'server.undertow.no-request-timeout',
    ),
  },
  {
    id: 'spring-boot-netty',
    name: 'Spring Boot embedded Reactor Netty (WebFlux)',
    aliases: ['server.netty.idle-timeout', 'spring-webflux', 'spring-netty'],
    kind: 'server',
    server: springDuration('spring-boot/server-netty-idle-timeout', 'server.netty.idle-timeout', {
      defaults: [
        { range: '*', value: 'unbounded', note: 'when not specified, an infinite idle timeout is used' },
      ],
    }),
  },
];
