import {
  describeProvenance,
  describeValue,
  type Evaluation,
  type Fact,
  type Finding,
  findingMessage,
  formatDuration,
  type HopEvaluation,
  type HopSide,
  ruleLine,
} from '@keepalive-parity/core/engine';
import type { Palette } from './color.js';

const SEVERITY_MARK = { error: '✗ error  ', warning: '! warning', note: '· note   ' } as const;

function verdictText(verdict: string, p: Palette): string {
  if (verdict === 'holds') return p.green('holds');
  if (verdict === 'violation') return p.red(p.bold('VIOLATION'));
  return p.yellow('unknown');
}

function primary(side: HopSide, subject: 'server-keepalive' | 'pool-idle'): Fact | undefined {
  return side.facts.find((f) => f.subject === subject);
}

function factLine(role: string, side: HopSide, fact: Fact | undefined, p: Palette): string {
  const what = role === 'client' ? 'idle timeout' : 'keep-alive';
  let value = !fact
    ? 'missing'
    : fact.value.type === 'duration'
      ? formatDuration(fact.value.ms)
      : describeValue(fact.value);
  // Quote the configuration's own spelling when it differs from ours (`1h30m`, `65000`, `PT60S`).
  if (fact?.value.type === 'duration' && fact.value.text.replace(/\s/g, '') !== value.replace(/\s/g, ''))
    value += ` (${fact.value.text})`;
  if (fact?.isDefault) value += ' default';
  const setting = fact?.setting ? ` ${fact.setting}` : '';
  const source = fact ? describeProvenance(fact.provenance) : '';
  return `  ${p.dim(role.padEnd(6))}  ${`${side.label} ${what}`.padEnd(34)} ${p.bold(value.padEnd(12))} ${p.dim(`${source}${setting && fact?.provenance.kind !== 'knowledge-base' ? ` (${setting.trim()})` : ''}`)}`;
}

function findingLines(finding: Finding, hop: HopEvaluation, p: Palette): string[] {
  const colour = finding.severity === 'error' ? p.red : finding.severity === 'warning' ? p.yellow : p.dim;
  const lines = [
    `  ${colour(SEVERITY_MARK[finding.severity])} ${p.cyan(finding.id)}: ${findingMessage(finding, hop.hop)}`,
  ];
  for (const fix of finding.fixes ?? []) {
    const label = fix.action === 'raise-server-keepalive' ? 'fix: raise the server' : 'or:  lower the client';
    lines.push(`      ${p.bold(label)}  ${fix.possible ? p.green(fix.text) : p.dim(fix.text)}`);
  }
  return lines;
}

/** The human view of `check`: a compact table per hop, then the findings with their fixes. */
export function renderReport(evaluation: Evaluation, p: Palette, command = 'check'): string {
  const out: string[] = [];
  const violations = evaluation.hops.filter((h) => h.verdict === 'violation').length;
  out.push(
    `keepalive-parity ${command}: ${verdictText(evaluation.verdict, p)}${evaluation.hops.length > 1 ? ` (${violations} of ${evaluation.hops.length} hops violate the rule)` : ''}`,
  );
  for (const hop of evaluation.hops) {
    out.push('');
    out.push(`${p.bold(`hop ${hop.hop.index + 1}`)}  ${hop.hop.name}  ${verdictText(hop.verdict, p)}`);
    out.push(factLine('client', hop.hop.client, primary(hop.hop.client, 'pool-idle'), p));
    out.push(factLine('server', hop.hop.server, primary(hop.hop.server, 'server-keepalive'), p));
    out.push(`  ${p.dim('rule'.padEnd(6))}  ${ruleLine(hop.hop, hop.serverKeepAliveMs, hop.clientIdleMs)}`);
    for (const finding of hop.findings) out.push(...findingLines(finding, hop, p));
  }
  if (evaluation.verdict === 'violation') {
    out.push('');
    out.push(
      p.dim(
        'Either fix makes the race rare, not impossible: max requests per connection, connection lifetime and restarts still close connections. Retry connection failures for idempotent requests only.',
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/** The JSON view: stable, durations as integers in fields named ...Ms. */
export function reportDocument(evaluation: Evaluation, command: string): object {
  return {
    command,
    verdict: evaluation.verdict,
    hops: evaluation.hops.map((h) => ({
      index: h.hop.index,
      name: h.hop.name,
      verdict: h.verdict,
      marginMs: h.hop.marginMs,
      serverKeepAliveMs: h.serverKeepAliveMs,
      clientIdleMs: h.clientIdleMs,
      requiredMs: h.requiredMs,
      headroomMs: h.headroomMs,
      client: sideDocument(h.hop.client),
      server: sideDocument(h.hop.server),
    })),
    findings: evaluation.hops.flatMap((h) =>
      h.findings.map((f) => ({
        id: f.id,
        severity: f.severity,
        hopIndex: f.hopIndex,
        message: findingMessage(f, h.hop),
        numbers: f.numbers,
        details: f.details ?? {},
        facts: f.facts.map(factDocument),
        fixes: f.fixes ?? [],
        docs: `docs/rules/${f.id}.md`,
      })),
    ),
  };
}

function sideDocument(side: HopSide): object {
  return {
    label: side.label,
    product: side.product ?? null,
    source: side.source ?? null,
    facts: side.facts.map(factDocument),
  };
}

function factDocument(fact: Fact): object {
  const value = fact.value;
  return {
    subject: fact.subject,
    valueType: value.type,
    ...(value.type === 'duration' ? { valueMs: value.ms, text: value.text } : {}),
    ...(value.type === 'count' ? { count: value.count, text: value.text } : {}),
    ...(value.type === 'retry'
      ? { retryOn: value.on, idempotentOnly: value.idempotentOnly, text: value.text }
      : {}),
    product: fact.product ?? null,
    setting: fact.setting ?? null,
    unit: fact.unit ?? null,
    isDefault: fact.isDefault === true,
    provenance: fact.provenance,
    notes: fact.notes ?? [],
  };
}
