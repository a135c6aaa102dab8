// The GitHub Action's entry point (action.yml): runs `keepalive-parity COMMAND ARGS --format sarif`
// with the built CLI, writes the SARIF file (for github/codeql-action/upload-sarif), the outputs
// ($GITHUB_OUTPUT) and a job summary ($GITHUB_STEP_SUMMARY: a Markdown table of hops), and exits
// with the CLI's exit code (0 holds, 1 violation, 2 input error or a hop that cannot be decided).
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const COMMANDS = ['scan', 'assert'];

/** An input as GitHub passes it: INPUT_<NAME> (uppercase; a node action keeps '-', we also take '_'). */
function input(name, fallback = '') {
  const key = `INPUT_${name.toUpperCase()}`;
  const value = process.env[key] ?? process.env[key.replace(/-/g, '_')];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

/** Splits a shell-quoted argument string: spaces separate, '...' and "..." quote, \ escapes. */
export function splitArgs(text) {
  const args = [];
  let current = '';
  let quote = null;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      any = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      any = true;
    } else if (/\s/.test(c)) {
      if (any || current) args.push(current);
      current = '';
      any = false;
    } else current += c;
  }
  if (quote) throw new Error(`args: unterminated ${quote} quote`);
  if (any || current) args.push(current);
  return args;
}

/** Markdown table cell: HTML-escaped (values come from configurations), no pipes or newlines. */
function cell(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/\r?\n/g, ' ');
}

function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  const sign = ms < 0 ? '−' : '';
  const abs = Math.abs(ms);
  return abs % 1000 === 0 ? `${sign}${abs / 1000} s` : `${sign}${abs} ms`;
}

const VERDICT_MARK = { holds: '✅ holds', violation: '❌ violation', unknown: '⚠️ unknown' };

function setOutput(name, value) {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) {
    process.stdout.write(`${name}=${value}\n`);
    return;
  }
  const delimiter = `kap_${Math.random().toString(36).slice(2)}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

function summary(markdown) {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, markdown);
  else process.stdout.write(markdown);
}

function locationText(location) {
  const p = location?.physicalLocation;
  if (!p) return '';
  return `${decodeURI(p.artifactLocation.uri)}${p.region?.startLine ? `:${p.region.startLine}` : ''}`;
}

function report(command, run) {
  const hops = run.properties?.hops ?? [];
  const results = run.results ?? [];
  const counts = { hops: hops.length, holds: 0, violation: 0, unknown: 0, error: 0, warning: 0, note: 0 };
  for (const hop of hops) counts[hop.verdict] = (counts[hop.verdict] ?? 0) + 1;
  for (const result of results) counts[result.level] = (counts[result.level] ?? 0) + 1;
  const lines = [
    `## keepalive-parity ${cell(command)}: ${VERDICT_MARK[run.properties?.verdict] ?? cell(run.properties?.verdict)}`,
    '',
    `Rule per hop: server keep-alive >= client pool idle + margin. ${counts.violation} of ${counts.hops} hops violate it.`,
    '',
    '| Hop | Verdict | Server keep-alive | Client idle | Margin | Required | Headroom |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...hops.map(
      (h) =>
        `| ${h.hop}. ${cell(h.name)} | ${VERDICT_MARK[h.verdict] ?? cell(h.verdict)} | ${duration(h.serverKeepAliveMs)} | ${duration(h.clientIdleMs)} | ${duration(h.marginMs)} | ${duration(h.requiredMs)} | ${duration(h.headroomMs)} |`,
    ),
    '',
  ];
  const problems = results.filter((r) => r.level === 'error' || r.level === 'warning');
  if (problems.length > 0) {
    lines.push('| Finding | Hop | Where | Message |', '| --- | --- | --- | --- |');
    for (const r of problems) {
      const where = [...(r.locations ?? []), ...(r.relatedLocations ?? [])].map(locationText).filter(Boolean);
      const rule = run.tool.driver.rules[r.ruleIndex];
      lines.push(
        `| ${r.level === 'error' ? '❌' : '⚠️'} [${cell(r.ruleId)}](${rule?.helpUri ?? ''}) | ${r.properties?.hop ?? ''} | ${cell(where.join(', ') || '–')} | ${cell(r.message.text)} |`,
      );
    }
    lines.push('');
  }
  return { counts, markdown: `${lines.join('\n')}\n` };
}

function main() {
  const command = input('command', 'scan');
  if (!COMMANDS.includes(command)) {
    process.stderr.write(
      `::error::keepalive-parity: input command must be one of ${COMMANDS.join(', ')} (got ${JSON.stringify(command)})\n`,
    );
    return 2;
  }
  let args;
  try {
    args = splitArgs(input('args'));
  } catch (error) {
    process.stderr.write(`::error::keepalive-parity: ${error.message}\n`);
    return 2;
  }
  const sarifFile = resolve(input('sarif-file', 'keepalive-parity.sarif'));
  const run = spawnSync(process.execPath, [BIN, command, ...args, '--format', 'sarif'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  const code = run.status ?? 2;
  let log;
  try {
    log = run.stdout.trim() ? JSON.parse(run.stdout) : undefined;
  } catch {
    log = undefined;
  }
  if (!log) {
    setOutput('verdict', 'error');
    setOutput('counts', JSON.stringify({ hops: 0 }));
    setOutput('violations', '0');
    setOutput('sarif-file', '');
    summary(
      `## keepalive-parity ${cell(command)}: error\n\nThe command stopped before a report (exit ${code}); see the step's log.\n`,
    );
    return code === 0 ? 2 : code;
  }
  mkdirSync(dirname(sarifFile), { recursive: true });
  writeFileSync(sarifFile, run.stdout);
  const sarifRun = log.runs[0];
  const unlocated = (sarifRun.results ?? []).filter((r) => !r.locations?.length).length;
  if (unlocated > 0)
    process.stderr.write(
      `::warning::keepalive-parity: ${unlocated} finding(s) have no file location (every value came from the command line, a live API or a default); GitHub code scanning rejects a SARIF file with such a result, so do not upload this one (use the job summary and the outputs)\n`,
    );
  const { counts, markdown } = report(command, sarifRun);
  setOutput('verdict', sarifRun.properties?.verdict ?? 'unknown');
  setOutput('counts', JSON.stringify(counts));
  setOutput('violations', String(counts.violation));
  setOutput('sarif-file', sarifFile);
  summary(markdown);
  return code;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main();
}
