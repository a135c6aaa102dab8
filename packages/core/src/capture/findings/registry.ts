import { clientIdleFinding } from './client-idle.js';
import { hopVerdictFinding } from './hop-verdict.js';
import { otherClosesFinding } from './other-closes.js';
import { raceFinding } from './race.js';
import { serverKeepAliveFinding } from './server-keepalive.js';

/** The one registry of capture findings, in report order (docs/evidence.md: one section per id). */
export const EVIDENCE_FINDINGS = [
  raceFinding,
  serverKeepAliveFinding,
  clientIdleFinding,
  hopVerdictFinding,
  otherClosesFinding,
] as const;
