import type { RuleId } from '../findings.js';
import { configUnreadable } from './config-unreadable.js';
import type { Rule } from './context.js';
import { headersTimeoutNotAboveKeepalive } from './headers-timeout-not-above-keepalive.js';
import { keepaliveBelowPoolIdle } from './keepalive-below-pool-idle.js';
import { keepaliveDisabled } from './keepalive-disabled.js';
import { marginTooThin } from './margin-too-thin.js';
import { otherConnectionLimits } from './other-connection-limits.js';
import { outOfScope } from './out-of-scope.js';
import { suspectedUnitMistake } from './suspected-unit-mistake.js';
import { unboundedPoolBoundedServer } from './unbounded-pool-bounded-server.js';
import { valueFromDefault } from './value-from-default.js';
import { valueUnknown } from './value-unknown.js';

export type { Rule, RuleContext } from './context.js';
export { DEFAULT_MARGIN_MS, MIN_SAFE_HEADROOM_MS } from './context.js';

/** The one rule registry, in reporting order. */
export const RULES: readonly Rule[] = [
  configUnreadable,
  outOfScope,
  valueUnknown,
  keepaliveDisabled,
  keepaliveBelowPoolIdle,
  marginTooThin,
  unboundedPoolBoundedServer,
  suspectedUnitMistake,
  headersTimeoutNotAboveKeepalive,
  valueFromDefault,
  otherConnectionLimits,
];

export function ruleById(id: RuleId): Rule {
  const rule = RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`unknown rule ${id}`);
  return rule;
}
