import { diagnose, type Fact, type Hop, type HopSide, LogAnalyzer, type LogFormat } from '../src/index.js';

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

/** Diagnoses files given as lines (each with its format), the way the CLI feeds them. */
export function feedLogs(inputs: Array<[string, LogFormat, string[]]>) {
  const a = new LogAnalyzer();
  for (const [file, format, lines] of inputs) {
    a.beginInput(file, format);
    lines.forEach((l, i) => {
      a.addLine(l, i + 1);
    });
  }
  return diagnose(a.toPartial());
}
