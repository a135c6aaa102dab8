import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Packet, pcap, scenarioPackets } from '../../core/test/capture-builder.js';
import { parseJson, runCli } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kap-evidence-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, packets: Packet[]): string {
  const path = join(dir, name);
  writeFileSync(path, pcap(packets, { link: 'ethernet' }));
  return path;
}

describe('evidence command', () => {
  test('no file: usage error', async () => {
    const result = await runCli(['evidence']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /give at least one capture/);
  });

  test('a race: exit 1, JSON fields, HTML timeline with the capture’s bytes escaped', async () => {
    const packets = scenarioPackets({ idleMs: 5000, race: 'fin-then-request' });
    // The racing request (the last GET) carries markup: the report must escape it.
    const last = packets.map((p) => p.payload?.startsWith('GET')).lastIndexOf(true);
    packets[last] = { ...packets[last]!, payload: 'GET /<script>alert(1)</script> HTTP/1.1\r\n\r\n' };
    const file = write('race.pcap', packets);
    const html = join(dir, 'race.html');
    const result = await runCli(['evidence', file, '--json', '--html', html]);
    assert.equal(result.code, 1);
    const report = parseJson(result);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.racesTotal, 1);
    assert.deepEqual(Object.keys(report.races[0]).sort(), [
      'answer',
      'connection',
      'idleBeforeRequestMs',
      'requestAt',
      'requestsBefore',
      'server',
      'serverFinBeforeRequestMs',
    ]);
    assert.equal(report.races[0].connection, '10.0.3.5:41000>10.0.3.7:8080');
    assert.equal(report.races[0].serverFinBeforeRequestMs, 0.001);
    const text = readFileSync(html, 'utf8');
    assert.match(text, /Timeline of one race: 10\.0\.3\.5:41000&gt;10\.0\.3\.7:8080/);
    assert.match(text, /GET \/&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(text, /<script/);
  });

  test('human view: per-server and per-client tables, the estimate sentence', async () => {
    const file = write('idle.pcap', [
      ...scenarioPackets({ cport: 41001, idleMs: 5000 }),
      ...scenarioPackets({ cport: 41002, idleMs: 5002, startUs: 1_780_000_100_000_000 }),
    ]);
    const result = await runCli(['evidence', file]);
    assert.equal(result.code, 1, 'the client held connections 5 s: a violation');
    assert.match(
      result.stdout,
      /the server at 10\.0\.3\.7:8080 closes idle connections after 5\.001 s \(2 closes, spread 5\.000 s–5\.002 s\)/,
    );
    assert.match(result.stdout, /Clients[^\n]*\n\s+address\s+idle closes/);
  });

  test('check on pcap: sources: a lower bound can show a violation, never that the rule holds', async () => {
    const backend = write('backend.pcap', scenarioPackets({ idleMs: 10_000 }));
    // The client's pool idle measured at its own idle closes (1 s): the rule can be judged.
    const clientCloses = write('client-closes.pcap', scenarioPackets({ idleMs: 1000, clientCloses: true }));
    const measured = await runCli([
      'check',
      '--backend',
      `pcap:${backend}`,
      '--lb',
      `pcap:${clientCloses}`,
      '--margin',
      '1s',
      '--json',
    ]);
    assert.equal(parseJson(measured).verdict, 'holds');
    assert.equal(measured.code, 0);
    // Only a server's idle close at 1 s: the client held connections at least 1 s, maybe far longer.
    const serverCloses = write('server-closes.pcap', scenarioPackets({ idleMs: 1000, server: '10.0.3.9' }));
    const bound = await runCli([
      'check',
      '--backend',
      `pcap:${backend}`,
      '--lb',
      `pcap:${serverCloses}`,
      '--margin',
      '1s',
      '--json',
    ]);
    assert.equal(parseJson(bound).verdict, 'unknown');
    assert.equal(bound.code, 2);
    // The same lower bound against a server that closes sooner than it: a proven violation.
    const shortServer = write('short.pcap', scenarioPackets({ idleMs: 500 }));
    const violation = await runCli([
      'check',
      '--backend',
      `pcap:${shortServer}`,
      '--lb',
      `pcap:${serverCloses}`,
      '--json',
    ]);
    assert.equal(parseJson(violation).verdict, 'violation');
    assert.equal(violation.code, 1);
  });

  test('check on a pcap: source with an unreadable part: never holds', async () => {
    const backend = write('backend2.pcap', scenarioPackets({ idleMs: 10_000 }));
    const lb = write('lb2.pcap', scenarioPackets({ idleMs: 1000, clientCloses: true }));
    const folder = join(dir, 'lb-folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.pcap'), readFileSync(lb));
    writeFileSync(join(folder, 'b.txt'), 'not a capture');
    const result = await runCli([
      'check',
      '--backend',
      `pcap:${backend}`,
      '--lb',
      `pcap:${folder}`,
      '--margin',
      '1s',
      '--json',
    ]);
    assert.equal(parseJson(result).verdict, 'unknown');
    assert.match(result.stdout, /b\.txt/);
    assert.equal(result.code, 2);
  });

  test('check --backend pcap: names the missing file (exit 2)', async () => {
    const result = await runCli(['check', '--backend', `pcap:${join(dir, 'missing.pcap')}`, '--lb', '60s']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /missing\.pcap: no such file/);
  });
});
