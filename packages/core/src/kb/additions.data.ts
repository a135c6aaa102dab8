import type { KnowledgeBaseEntry } from './types.js';

/**
 * Knowledge-base rows added for products that publicly reported incidents name (issue 11), each
 * read from the product's own source at a commit or its own documentation. Written by hand (not
 * generated from the shared research table like defaults.data.ts); same shape and conventions:
 * `defaultMs: null` means unbounded ("UNBOUNDED" in notes) or unknown ("UNVERIFIED").
 */
export const KNOWLEDGE_BASE_ADDITIONS: readonly KnowledgeBaseEntry[] = [
  {
    id: 'cloud-foundry-gorouter/backend-idleconntimeout',
    product: 'Cloud Foundry gorouter',
    role: 'lb-upstream-pool',
    setting: '(fixed) backend http.Transport IdleConnTimeout',
    where: 'gorouter proxy/proxy.go: BackendTemplate http.Transport; not a job property',
    unit: 'seconds',
    syntax: 'n/a (fixed in code)',
    defaultMs: 90_000,
    versions:
      'gorouter releases that pool backend connections (router.max_idle_connections > 0); the 2016 code (commit de3d1ef7) used DisableKeepAlives: true, i.e. no pool',
    sourceUrl:
      'https://github.com/cloudfoundry/routing-release/blob/develop/src/code.cloudfoundry.org/gorouter/proxy/proxy.go',
    verified: true,
    notes:
      'default: 90 s, fixed ("IdleConnTimeout: 90 * time.Second, // setting the value to golang default transport" in proxy.go, read in an index copy of the current code; module code.cloudfoundry.org/gorouter) | Backend keep-alive is off when DisableKeepAlives is set (routing-release property router.max_idle_connections: 0). The dialer KeepAlive (router.endpoint_keep_alive_probe_interval) is a TCP keep-alive probe, not this idle timer. | An app behind gorouter needs an idle keep-alive above 90 s (Node 5 s, gunicorn 2 s, uvicorn 5 s all race).',
  },
  {
    id: 'azure-app-service-front-end/none',
    product: 'Azure App Service front end (ARR)',
    role: 'lb-upstream-pool',
    setting: '(none documented)',
    where: 'platform front end in front of App Service workers; not configurable',
    unit: 'seconds',
    syntax: 'n/a',
    defaultMs: null,
    versions: '-',
    sourceUrl: 'https://learn.microsoft.com/en-us/troubleshoot/azure/app-service/web-apps-performance-faqs',
    verified: false,
    notes:
      'default: UNVERIFIED | Microsoft documents the front end\'s 230 s request timeout (a response timeout: "the request will time out" if no response in 230 s), not an idle timeout for the pooled front-end-to-worker connections. No value for that idle timer was found in Microsoft\'s documentation, so none is used for a verdict: measure it (probe:URL through the front end).',
  },
  {
    id: 'apache-apisix/nginx-config-http-upstream-keepalive-timeout',
    product: 'Apache APISIX',
    role: 'lb-upstream-pool',
    setting:
      'nginx_config.http.upstream.keepalive_timeout (conf/config.yaml); per upstream: keepalive_pool.idle_timeout',
    where:
      'conf/config.yaml (rendered into nginx.conf upstream { keepalive_timeout }); Admin API upstream object keepalive_pool',
    unit: 'seconds',
    syntax: 'nginx time in config.yaml ("60s"); integer seconds in keepalive_pool.idle_timeout',
    defaultMs: 60_000,
    versions: 'APISIX 2.x-3.x conf/config-default.yaml',
    sourceUrl:
      'https://github.com/apache/apisix/blob/f380fcf173282c7d71831b47e5edc0a206b9d658/conf/config-default.yaml',
    verified: true,
    notes:
      'default: 60 s ("keepalive_timeout: 60s # Sets a timeout during which an idle keepalive connection to an upstream server will stay open") | keepalive 320 idle connections per worker, keepalive_requests 1000 | APISIX is OpenResty (nginx): the same upstream keep-alive cache as nginx.',
  },
  {
    id: 'apache-apisix/nginx-config-http-keepalive-timeout',
    product: 'Apache APISIX (as server)',
    role: 'server-keepalive',
    setting: 'nginx_config.http.keepalive_timeout',
    where: 'conf/config.yaml',
    unit: 'seconds',
    syntax: 'nginx time ("60s")',
    defaultMs: 60_000,
    versions: 'APISIX 2.x-3.x conf/config-default.yaml',
    sourceUrl:
      'https://github.com/apache/apisix/blob/f380fcf173282c7d71831b47e5edc0a206b9d658/conf/config-default.yaml',
    verified: true,
    notes:
      'default: 60 s ("keepalive_timeout: 60s # timeout during which a keep-alive client connection will stay open on the server side") | Behind an AWS ALB (60 s) this is zero margin.',
  },
  {
    id: 'fabio/proxy-idleconntimeout',
    product: 'Fabio',
    role: 'lb-upstream-pool',
    setting: 'proxy.idleconntimeout',
    where: 'fabio.properties / -proxy.idleconntimeout flag / FABIO_proxy_idleconntimeout',
    unit: 'Go duration',
    syntax: 'Go duration ("90s")',
    defaultMs: null,
    versions: 'fabio 1.5.x (config/default.go sets no IdleConnTimeout)',
    sourceUrl:
      'https://github.com/fabiolb/fabio/blob/5fb4039bf9460d45efd7db45743878e419506cfa/config/default.go',
    verified: true,
    notes:
      'default: UNBOUNDED (0: Go http.Transport IdleConnTimeout 0 = idle connections never expire) | The pool is built in main.go newHTTPTransport: IdleConnTimeout = proxy.idleconntimeout, and Dial KeepAlive = proxy.keepalivetimeout. proxy.keepalivetimeout is therefore the TCP keep-alive probe interval (net.Dialer.KeepAlive), NOT the pool idle timeout: setting it does not stop the race. | With no idle limit, fabio reuses a pooled connection until the backend closes it.',
  },
  {
    id: 'h2o/proxy-timeout-keepalive',
    product: 'H2O',
    role: 'lb-upstream-pool',
    setting: 'proxy.timeout.keepalive',
    where: 'h2o.conf (global, host or path level)',
    unit: 'milliseconds',
    syntax: 'integer milliseconds',
    defaultMs: 2_000,
    versions: 'H2O 2.x (srcdoc/configure/proxy_directives.mt)',
    sourceUrl: 'https://h2o.examp1e.net/configure/proxy_directives.html#proxy.timeout.keepalive',
    verified: true,
    notes:
      'default: 2000 ms ("Sets the upstream timeout for idle connections in milliseconds. The value should be set to something smaller than that being set at the upstream server.") | 0 makes upstream connections non-persistent.',
  },
  {
    id: 'h2o/http1-request-timeout',
    product: 'H2O (as server)',
    role: 'server-keepalive',
    setting: 'http1-request-timeout',
    where: 'h2o.conf (global)',
    unit: 'seconds',
    syntax: 'integer seconds',
    defaultMs: 10_000,
    versions: 'H2O 2.x (H2O_DEFAULT_HTTP1_REQ_TIMEOUT_IN_SECS 10 in include/h2o.h)',
    sourceUrl: 'https://h2o.examp1e.net/configure/http1_directives.html#http1-request-timeout',
    verified: true,
    notes:
      'default: 10 s ("timeout for incoming requests in seconds (default: 10)"; the same timer waits for the next request on a kept-alive HTTP/1 connection) | http2-idle-timeout (10 s) applies to HTTP/2 instead.',
  },
  {
    id: 'sanic/keep-alive-timeout',
    product: 'Sanic',
    role: 'server-keepalive',
    setting: 'KEEP_ALIVE_TIMEOUT',
    where: 'app.config.KEEP_ALIVE_TIMEOUT, env SANIC_KEEP_ALIVE_TIMEOUT',
    unit: 'seconds',
    syntax: 'number (seconds)',
    defaultMs: 120_000,
    versions:
      '120 s after PR sanic-org/sanic#2670 (2023); 5 s before (sanic/config.py at 0006b4fc: "KEEP_ALIVE_TIMEOUT": 5)',
    sourceUrl: 'https://github.com/sanic-org/sanic/pull/2670',
    verified: true,
    notes:
      'default: 120 s (current DEFAULT_CONFIG "KEEP_ALIVE_TIMEOUT": 120); 5 s in releases before PR #2670 | The release that first shipped 120 s is not pinned here: give the version (runtime:sanic@22.12) for the old default. KEEP_ALIVE = False disables keep-alive.',
  },
  {
    id: 'undertow/no-request-timeout',
    product: 'Undertow',
    role: 'server-keepalive',
    setting: 'UndertowOptions.NO_REQUEST_TIMEOUT',
    where: 'Undertow.builder().setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, ms)',
    unit: 'milliseconds',
    syntax: 'int milliseconds',
    defaultMs: 60_000,
    versions:
      'Undertow 2.x built with Undertow.builder() (Undertow.java at 845341d3 sets 60 * 1000 in start())',
    sourceUrl:
      'https://github.com/undertow-io/undertow/blob/845341d34d489f01f28820231e42062a4ac34ae1/core/src/main/java/io/undertow/Undertow.java',
    verified: true,
    notes:
      'default: 60 s through Undertow.builder() ("The amount of time the connection can be idle with no current requests before it is closed"); an HttpOpenListener used without the builder reads the option with -1 = no timer (HttpReadListener) | Equal to an AWS ALB\'s 60 s: zero margin. IDLE_TIMEOUT is a channel read/write idle timeout, a different setting.',
  },
  {
    id: 'spring-boot/server-tomcat-keep-alive-timeout',
    product: 'Spring Boot embedded Tomcat',
    role: 'server-keepalive',
    setting: 'server.tomcat.keep-alive-timeout',
    where: 'application.properties / application.yml / env SERVER_TOMCAT_KEEPALIVETIMEOUT',
    unit: 'duration',
    syntax: 'Spring Boot Duration ("75s"; a bare number is milliseconds)',
    defaultMs: 60_000,
    versions: 'Spring Boot >= 2.5.0 (property added by PR #25815)',
    sourceUrl:
      'https://docs.spring.io/spring-boot/appendix/application-properties/index.html#application-properties.server.server.tomcat.keep-alive-timeout',
    verified: true,
    notes:
      "default: 60 s: \"When not set the connectionTimeout is used\" (Boot); Boot leaves server.tomcat.connection-timeout unset, so Tomcat's code default connectionTimeout 60000 ms applies (the 20000 in Tomcat's stock server.xml does not apply to the embedded server) | max-keep-alive-requests 100. Equal to an AWS ALB's 60 s: zero margin.",
  },
  {
    id: 'spring-boot/server-jetty-connection-idle-timeout',
    product: 'Spring Boot embedded Jetty',
    role: 'server-keepalive',
    setting: 'server.jetty.connection-idle-timeout',
    where: 'application.properties / application.yml',
    unit: 'duration',
    syntax: 'Spring Boot Duration ("75s"; a bare number is milliseconds)',
    defaultMs: 30_000,
    versions: 'Spring Boot 2.x-3.x (unset: Jetty ServerConnector idleTimeout 30000 ms)',
    sourceUrl:
      'https://docs.spring.io/spring-boot/appendix/application-properties/index.html#application-properties.server.server.jetty.connection-idle-timeout',
    verified: true,
    notes:
      'default: 30 s ("Time that the connection can be idle before it is closed"; unset, Jetty\'s AbstractConnector default idleTimeout 30000 ms applies) | Below an AWS ALB\'s 60 s.',
  },
  {
    id: 'spring-boot/server-undertow-no-request-timeout',
    product: 'Spring Boot embedded Undertow',
    role: 'server-keepalive',
    setting: 'server.undertow.no-request-timeout',
    where: 'application.properties / application.yml',
    unit: 'duration',
    syntax: 'Spring Boot Duration ("75s"; a bare number is milliseconds)',
    defaultMs: 60_000,
    versions: 'Spring Boot 2.x-3.x with Undertow 2.x (unset: Undertow builder default 60 s)',
    sourceUrl:
      'https://docs.spring.io/spring-boot/appendix/application-properties/index.html#application-properties.server.server.undertow.no-request-timeout',
    verified: true,
    notes:
      'default: 60 s ("Amount of time a connection can sit idle without processing a request, before it is closed by the server"; unset, Undertow.builder() sets NO_REQUEST_TIMEOUT 60000 ms) | Equal to an AWS ALB\'s 60 s: zero margin.',
  },
  {
    id: 'spring-boot/server-netty-idle-timeout',
    product: 'Spring Boot embedded Reactor Netty (WebFlux)',
    role: 'server-keepalive',
    setting: 'server.netty.idle-timeout',
    where: 'application.properties / application.yml',
    unit: 'duration',
    syntax: 'Spring Boot Duration ("75s"; a bare number is milliseconds)',
    defaultMs: null,
    versions: 'Spring Boot >= 2.4',
    sourceUrl:
      'https://docs.spring.io/spring-boot/appendix/application-properties/index.html#application-properties.server.server.netty.idle-timeout',
    verified: true,
    notes:
      'default: UNBOUNDED ("Idle timeout of the Netty channel. When not specified, an infinite timeout is used.") | max-keep-alive-requests: unlimited by default in reactor-netty >= 1.0.13.',
  },
];
