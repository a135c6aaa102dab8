import {
  detectLogFormat,
  envoyFormatString,
  findLogFormat,
  KeepaliveParityError,
  LOG_FORMATS,
  type LogFormat,
  nginxAccessFormat,
} from '@keepalive-parity/core';

/** What every reader (main thread or worker) needs to rebuild the same formats. */
export interface FormatOptions {
  /** `--format`: force this format id for every input. */
  readonly forcedFormat?: string | undefined;
  /** `--nginx-log-format`: a custom nginx log_format string. */
  readonly nginxLogFormat?: string | undefined;
  /** `--envoy-log-format`: a custom Envoy access-log format string (Envoy command operators). */
  readonly envoyLogFormat?: string | undefined;
}

export const CUSTOM_NGINX_ID = 'nginx-custom';
export const CUSTOM_ENVOY_ID = 'envoy-custom';

export function extraFormats(options: FormatOptions): LogFormat[] {
  const extra: LogFormat[] = [];
  if (options.nginxLogFormat) extra.push(nginxAccessFormat(options.nginxLogFormat, CUSTOM_NGINX_ID));
  if (options.envoyLogFormat) extra.push(envoyFormatString(options.envoyLogFormat, CUSTOM_ENVOY_ID));
  return extra;
}

/** Resolves a format id (including the custom nginx one and the alias `nginx`). */
export function formatById(id: string, options: FormatOptions): LogFormat {
  if ((id === CUSTOM_NGINX_ID || id === 'nginx') && options.nginxLogFormat) {
    return nginxAccessFormat(options.nginxLogFormat, CUSTOM_NGINX_ID);
  }
  if ((id === CUSTOM_ENVOY_ID || id === 'envoy') && options.envoyLogFormat) {
    return envoyFormatString(options.envoyLogFormat, CUSTOM_ENVOY_ID);
  }
  const format = findLogFormat(id === 'nginx' ? 'nginx-combined' : id);
  if (!format) {
    throw new KeepaliveParityError(
      'KAP_USAGE',
      `unknown --format ${JSON.stringify(id)}; formats: ${[...LOG_FORMATS.map((f) => f.id), 'nginx'].join(', ')}`,
      { field: '--format' },
    );
  }
  return format;
}

/** The format for an input: forced, or detected from its first lines; null when none fits. */
export function chooseFormat(sampleLines: readonly string[], options: FormatOptions): LogFormat | null {
  if (options.forcedFormat) return formatById(options.forcedFormat, options);
  return detectLogFormat(sampleLines, extraFormats(options))?.format ?? null;
}
