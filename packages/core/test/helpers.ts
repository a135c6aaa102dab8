import type { Fact, Hop, HopSide } from '../src/index.js';

export function durationFact(subject: Fact['subject'], ms: number, extra: Partial<Fact> = {}): Fact {
  return {
    subject,
    value: { type: 'duration', ms, text: `${ms}ms` },
    provenance: { kind: 'command-line', flag: '--test', text: `${ms}ms` },
    ...extra,
  };
}

export function side(label: string, facts: Fact[], product?: string): HopSide {
  return { label, facts, product };
}

export function hop(clientMs: number, serverMs: number, marginMs: number, index = 0): Hop {
  return {
    index,
    name: `hop ${index}`,
    client: side('lb', [durationFact('pool-idle', clientMs)]),
    server: side('app', [durationFact('server-keepalive', serverMs)]),
    marginMs,
  };
}
