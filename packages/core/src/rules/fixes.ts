import { formatDuration } from '../duration/duration.js';
import type { Fix } from '../findings.js';
import type { HopSide } from '../hops.js';
import { findProduct, type TimeoutSetting } from '../kb/products.js';

function timespan(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(total / 86400);
  const rest = total % 86400;
  const hms = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  return days > 0 ? `${days}.${hms}` : hms;
}

function render(template: string, setting: TimeoutSetting, ms: number): string {
  const inUnit = setting.unit === 'milliseconds' ? ms : ms / 1000;
  const seconds = ms / 1000;
  return template
    .replaceAll('{value}', String(inUnit))
    .replaceAll(
      '{seconds}',
      Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3).replace(/0+$/, ''),
    )
    .replaceAll('{timespan}', timespan(ms));
}

function settingOf(side: HopSide, role: 'pool' | 'server'): TimeoutSetting | undefined {
  const product = side.product ? findProduct(side.product) : undefined;
  return role === 'pool' ? product?.pool : product?.server;
}

/** Raise the server keep-alive to at least `minimumMs`, rounded up to what the setting can express. */
export function raiseServerFix(server: HopSide, minimumMs: number): Fix {
  const setting = settingOf(server, 'server');
  if (!setting) {
    const target = Math.ceil(minimumMs / 1000) * 1000;
    return {
      side: 'server',
      action: 'raise-server-keepalive',
      targetMs: target,
      text: `raise the backend keep-alive timeout to at least ${formatDuration(target)} (${target} ms)`,
      possible: true,
    };
  }
  const granularity = Math.max(1, setting.granularityMs);
  const target = Math.max(Math.ceil(minimumMs / granularity) * granularity, setting.minMs ?? 0);
  const expressible = setting.fix.includes('{');
  const tooHigh = setting.maxMs !== undefined && target > setting.maxMs;
  return {
    side: 'server',
    action: 'raise-server-keepalive',
    targetMs: target,
    product: server.product,
    setting: setting.setting,
    text: expressible ? render(setting.fix, setting, target) : setting.fix,
    possible: expressible && !tooHigh,
    reason: tooHigh
      ? `${setting.setting} cannot exceed ${formatDuration(setting.maxMs!)}`
      : expressible
        ? undefined
        : setting.fix,
  };
}

/** Lower the client pool idle to at most `maximumMs`, rounded down to what the setting can express. */
export function lowerPoolFix(client: HopSide, maximumMs: number): Fix {
  const setting = settingOf(client, 'pool');
  if (setting && !setting.fix.includes('{')) {
    // The product has no idle limit to lower (HAProxy) or does not let users set it (GCP, Cloudflare):
    // its catalog text says what to do instead.
    return {
      side: 'client',
      action: 'lower-pool-idle',
      targetMs: null,
      product: client.product,
      setting: setting.setting,
      text: setting.fix,
      possible: false,
      reason: setting.fix,
    };
  }
  const granularity = Math.max(1, setting?.granularityMs ?? 1000);
  const target = Math.floor(maximumMs / granularity) * granularity;
  const minimum = Math.max(setting?.minMs ?? 0, 1);
  if (target < minimum) {
    return {
      side: 'client',
      action: 'lower-pool-idle',
      targetMs: null,
      product: client.product,
      setting: setting?.setting,
      text: `lowering ${client.label}'s idle timeout cannot work: it would have to be ${target <= 0 ? 'zero or less' : `below ${formatDuration(minimum)}`}`,
      possible: false,
      reason: 'the server keep-alive is shorter than the margin itself',
    };
  }
  if (!setting) {
    return {
      side: 'client',
      action: 'lower-pool-idle',
      targetMs: target,
      text: `lower ${client.label}'s upstream idle timeout to at most ${formatDuration(target)} (${target} ms)`,
      possible: true,
    };
  }
  return {
    side: 'client',
    action: 'lower-pool-idle',
    targetMs: target,
    product: client.product,
    setting: setting.setting,
    text: render(setting.fix, setting, target),
    possible: true,
  };
}
