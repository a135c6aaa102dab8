import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { detectLogFormat, findLogFormat } from '../src/index.js';
import { describeLine } from './logs-more-cases.js';

/**
 * Issue 10 item 6: every public log line collected in ../shared/realworld/log-lines/ (read from
 * there, never copied; provenance in its SOURCES.md) is read by the right parser, with at most
 * `maxMalformed` malformed lines per file, and every line gets the classification committed in
 * logs-realworld.expected.json (whose `notes` quote what SOURCES.md says the line shows). The nginx
 * files belong to the nginx readers' own tests.
 */

const dir = fileURLToPath(new URL('../../../../shared/realworld/log-lines/', import.meta.url));
const expected = JSON.parse(
  readFileSync(fileURLToPath(new URL('./logs-realworld.expected.json', import.meta.url)), 'utf8'),
) as {
  files: Record<
    string,
    { format: string; maxMalformed: number; lines: string[]; notes: Record<string, string> }
  >;
};

const linesOf = (file: string) => {
  const lines = readFileSync(`${dir}${file}`, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
};

const files = readdirSync(dir).filter((f) => f !== 'SOURCES.md' && !f.startsWith('nginx-'));

describe('real-world log lines (../shared/realworld/log-lines)', () => {
  it('every file (nginx excepted) has expectations, and no expectation is for a missing file', () => {
    assert.deepEqual([...files].sort(), Object.keys(expected.files).sort());
  });

  for (const file of files) {
    const want = expected.files[file];
    it(`${file}: detected as ${want?.format}, every line classified as expected`, () => {
      assert.ok(want, `no expectations for ${file}`);
      const lines = linesOf(file);
      const detected = detectLogFormat(lines.filter((l) => l.trim() !== '').slice(0, 30));
      assert.equal(detected?.format.id, want.format);
      const format = findLogFormat(want.format)!;
      const got = lines.map((l) => describeLine(format, l));
      assert.ok(
        got.filter((g) => g === 'malformed').length <= want.maxMalformed,
        `more than ${want.maxMalformed} malformed lines in ${file}`,
      );
      assert.deepEqual(got, want.lines);
      for (const n of Object.keys(want.notes))
        assert.ok(Number(n) >= 1 && Number(n) <= lines.length, `note for line ${n}`);
    });
  }

  it('what SOURCES.md says the lines show: no keep-alive race where none is', () => {
    // SOURCES.md: "None of the ALB lines is a keep-alive-race 502"; the HAProxy 503/504 lines are a
    // missing server and a server timeout; the Caddy 502s are refused connections.
    for (const file of ['alb.log', 'haproxy.log', 'caddy.jsonl']) {
      const race = expected.files[file]!.lines.filter((l) => l.includes('upstream-closed-reused-connection'));
      assert.deepEqual(race, [], file);
    }
    assert.match(expected.files['alb.log']!.lines[23]!, /^request 504 lb connect-timeout/);
    assert.match(expected.files['alb.log']!.lines[22]!, /^request 460 lb client-aborted/);
    assert.match(expected.files['haproxy.log']!.lines[28]!, /^request 503 lb no-healthy-upstream/);
    assert.match(expected.files['haproxy.log']!.lines[33]!, /^request 504 lb response-timeout read-header/);
  });
});
