import { cannotSeparate } from './cannot-separate.js';
import type { MetricsRule } from './context.js';
import { draining } from './draining.js';
import { noLbErrors } from './no-lb-errors.js';
import { noTraffic } from './no-traffic.js';
import { otherLbStatus } from './other-lb-status.js';
import { quietPeriod } from './quiet-period.js';
import { raceSignature } from './race-signature.js';
import { targetFailures } from './target-failures.js';

export type { MetricsReason, MetricsRule, MetricsRuleContext, MetricsVote } from './context.js';
export { type QuietPeriodSignature, quietPeriodSignature } from './quiet-period.js';

/** The one registry of metrics verdict rules; each rule is one file here and a section of docs/metrics.md. */
export const METRICS_RULES: readonly MetricsRule[] = [
  noTraffic,
  cannotSeparate,
  raceSignature,
  targetFailures,
  otherLbStatus,
  draining,
  noLbErrors,
  quietPeriod,
];
