import { capacity } from './capacity.js';
import { clustered } from './clustered.js';
import { crashMidResponse } from './crash-mid-response.js';
import { failsRegardlessOfIdle } from './fails-regardless-of-idle.js';
import { generatorUnknown } from './generator-unknown.js';
import { haproxySilence } from './haproxy-silence.js';
import { idleGapEstimate } from './idle-gap-estimate.js';
import { independentTargetErrors } from './independent-target-errors.js';
import { malformedLines } from './malformed-lines.js';
import { midResponseFailures } from './mid-response-failures.js';
import { mixed } from './mixed.js';
import { no5xx } from './no-5xx.js';
import { other5xx } from './other-5xx.js';
import { outOfScopeProtocol } from './out-of-scope-protocol.js';
import { perRequestJoin } from './per-request-join.js';
import { quietPeriods } from './quiet-periods.js';
import { raceLikely } from './race-likely.js';
import { raceRetriedOnly } from './race-retried-only.js';
import { raceShapedOnBusyConnections } from './race-shaped-on-busy-connections.js';
import { raceSignature } from './race-signature.js';
import { responseHeaderTooBig } from './response-header-too-big.js';
import { retriedRaces } from './retried-races.js';
import { slowBackend } from './slow-backend.js';
import { targetFailures } from './target-failures.js';
import { targetUnreachable } from './target-unreachable.js';
import { tooFew } from './too-few.js';
import { truncatedInput } from './truncated-input.js';
import type { VerdictRule } from './types.js';

export { MIN_RACE_FAILURES } from './too-few.js';
export type * from './types.js';

/**
 * The verdict registry. Deciding rules in order: the first that applies gives the verdict and the
 * first reason (`other-5xx` always applies). Findings are then added to whatever was decided.
 * One file and one docs page (docs/verdicts/<id>.md) per rule.
 */
export const VERDICT_RULES: readonly VerdictRule[] = [
  haproxySilence,
  no5xx,
  outOfScopeProtocol,
  responseHeaderTooBig,
  crashMidResponse,
  slowBackend,
  targetUnreachable,
  capacity,
  targetFailures,
  generatorUnknown,
  clustered,
  failsRegardlessOfIdle,
  raceShapedOnBusyConnections,
  raceRetriedOnly,
  mixed,
  raceSignature,
  raceLikely,
  tooFew,
  other5xx,
];

/** Findings, in reporting order after the deciding reason. */
export const VERDICT_FINDINGS: readonly VerdictRule[] = [
  independentTargetErrors,
  perRequestJoin,
  midResponseFailures,
  retriedRaces,
  idleGapEstimate,
  quietPeriods,
  malformedLines,
  truncatedInput,
];
