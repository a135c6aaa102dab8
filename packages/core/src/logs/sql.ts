import { KeepaliveParityError } from '../errors.js';
import { NGINX_COMBINED, NGINX_INGRESS_UPSTREAMINFO } from './formats/nginx-access.js';
import { albClassificationSql } from './sql/alb.js';
import { caddyClassificationSql } from './sql/caddy.js';
import type { SqlOptions } from './sql/common.js';
import { haproxyClassificationSql } from './sql/haproxy.js';
import { nginxClassificationSql } from './sql/nginx.js';

/**
 * `--emit-sql`: the registry of formats whose whole analysis has an SQL form (one file each in
 * sql/, sharing the analysis tail of sql/common.ts). Each format's classification stays in step
 * with its streaming parser in formats/; the result table is the same for all, so
 * `--from-sql-result` (sql-result.ts) and the verdict registry read every one of them.
 */

export { ALB_COLUMNS, albClassificationSql, albMsExpr, duckdbAlbView } from './sql/alb.js';
export { SQL_FLAVOURS, type SqlFlavour, type SqlOptions, type SqlSection } from './sql/common.js';
export { nginxLogFormatRegex } from './sql/nginx.js';

export interface SqlFormat {
  /** The streaming engine's format id (`--format`). */
  readonly id: string;
  readonly summary: string;
  readonly sql: (options: SqlOptions & { nginxLogFormat?: string | undefined }) => string;
}

/** The id `--nginx-log-format` gives an nginx access log (as the CLI's formats.ts names it). */
export const SQL_NGINX_CUSTOM_ID = 'nginx-custom';

const nginx =
  (id: string, logFormat: string | undefined) =>
  (options: SqlOptions & { nginxLogFormat?: string | undefined }) => {
    const format = logFormat ?? options.nginxLogFormat;
    if (format === undefined) {
      throw new KeepaliveParityError('KAP_USAGE', `--format ${id} needs --nginx-log-format 'FMT'`, {
        field: '--nginx-log-format',
      });
    }
    return nginxClassificationSql({ ...options, logFormat: format, formatId: id });
  };

export const SQL_FORMATS: readonly SqlFormat[] = [
  {
    id: 'alb',
    summary: "AWS ALB access logs (AWS's alb_access_logs table)",
    sql: albClassificationSql,
  },
  {
    id: SQL_NGINX_CUSTOM_ID,
    summary: 'nginx (or Apache httpd) access log in the format given by --nginx-log-format',
    sql: nginx(SQL_NGINX_CUSTOM_ID, undefined),
  },
  {
    id: 'nginx-combined',
    summary: 'nginx access log, combined format (no upstream fields: generator unknown)',
    sql: nginx('nginx-combined', NGINX_COMBINED),
  },
  {
    id: 'nginx-ingress',
    summary: 'ingress-nginx access log (upstreaminfo format)',
    sql: nginx('nginx-ingress', NGINX_INGRESS_UPSTREAMINFO),
  },
  {
    id: 'haproxy',
    summary: 'HAProxy option httplog',
    sql: haproxyClassificationSql,
  },
  {
    id: 'caddy',
    summary: 'Caddy JSON access log (http.log.access entries)',
    sql: caddyClassificationSql,
  },
];

/**
 * The format of an `--emit-sql` run: `--format` (alias `nginx`), else the custom nginx format when
 * `--nginx-log-format` is given, else ALB. Unknown or SQL-less formats are a usage error.
 */
export function findSqlFormat(id: string | undefined, nginxLogFormat?: string): SqlFormat {
  const wanted =
    id === undefined
      ? nginxLogFormat !== undefined
        ? SQL_NGINX_CUSTOM_ID
        : 'alb'
      : id === 'nginx'
        ? nginxLogFormat !== undefined
          ? SQL_NGINX_CUSTOM_ID
          : 'nginx-combined'
        : id;
  const format = SQL_FORMATS.find((f) => f.id === wanted);
  if (format === undefined) {
    throw new KeepaliveParityError(
      'KAP_USAGE',
      `--emit-sql has no SQL form for --format ${JSON.stringify(id)}; formats: ${SQL_FORMATS.map((f) => f.id).join(', ')} (and nginx with --nginx-log-format)`,
      { field: '--format' },
    );
  }
  if (nginxLogFormat !== undefined && !format.id.startsWith('nginx')) {
    throw new KeepaliveParityError(
      'KAP_USAGE',
      `--nginx-log-format does not apply to --format ${format.id}`,
      { field: '--nginx-log-format' },
    );
  }
  return format;
}
