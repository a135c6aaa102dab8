/** Everything the CLI needs from the log engine beyond types and registry (re-exported by the core index). */
export * from './analysis.js';
export { classifyAlb, parseAlbLine } from './formats/alb.js';
export { compileEnvoyFormat, envoyFormatString } from './formats/envoy.js';
export {
  compileNginxLogFormat,
  NGINX_COMBINED,
  NGINX_INGRESS_UPSTREAMINFO,
  nginxAccessFormat,
} from './formats/nginx-access.js';
export { mapNginxUpstreamMessage } from './formats/nginx-error.js';
export * from './sql.js';
export * from './sql-result.js';
export * from './verdict.js';
