import type { Finding } from './findings.js';
import { factOf, type Hop } from './hops.js';
import { durationMs } from './rules/context.js';
import { RULES } from './rules/index.js';

export type Verdict = 'holds' | 'violation' | 'unknown';

export interface HopEvaluation {
  readonly hop: Hop;
  readonly verdict: Verdict;
  readonly serverKeepAliveMs: number | null;
  readonly clientIdleMs: number | null;
  /** client idle + margin: what the server keep-alive must reach. */
  readonly requiredMs: number | null;
  /** server keep-alive − client idle. */
  readonly headroomMs: number | null;
  readonly findings: readonly Finding[];
}

export interface Evaluation {
  readonly verdict: Verdict;
  readonly hops: readonly HopEvaluation[];
  readonly findings: readonly Finding[];
}

export function evaluateHop(hop: Hop): HopEvaluation {
  const serverFact = factOf(hop.server, 'server-keepalive');
  const clientFact = factOf(hop.client, 'pool-idle');
  const context = { hop, serverFact, clientFact, marginMs: hop.marginMs };
  const findings: Finding[] = [];
  for (const rule of RULES) {
    const found = rule.check(context);
    findings.push(...found);
    // Outside the race's scope nothing else is worth saying about the hop.
    if (rule.id === 'out-of-scope' && found.length > 0) break;
  }
  const serverMs = durationMs(serverFact) ?? null;
  const clientMs = durationMs(clientFact) ?? null;
  let verdict: Verdict = 'holds';
  if (findings.some((f) => f.severity === 'error')) verdict = 'violation';
  else if (
    findings.some(
      (f) =>
        f.id === 'value-unknown' ||
        f.id === 'out-of-scope' ||
        (f.id === 'config-unreadable' && f.details?.diagnosticSeverity === 'error'),
    )
  )
    verdict = 'unknown';
  return {
    hop,
    verdict,
    serverKeepAliveMs: serverMs,
    clientIdleMs: clientMs,
    requiredMs: clientMs === null ? null : clientMs + hop.marginMs,
    headroomMs: serverMs === null || clientMs === null ? null : serverMs - clientMs,
    findings,
  };
}

/** Evaluates every hop; a chain is checked hop by hop. */
export function evaluate(hops: readonly Hop[]): Evaluation {
  const evaluations = hops.map(evaluateHop);
  let verdict: Verdict = 'holds';
  if (evaluations.some((e) => e.verdict === 'violation')) verdict = 'violation';
  else if (evaluations.length === 0 || evaluations.some((e) => e.verdict === 'unknown')) verdict = 'unknown';
  return { verdict, hops: evaluations, findings: evaluations.flatMap((e) => e.findings) };
}
