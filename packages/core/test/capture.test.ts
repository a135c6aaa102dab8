import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  analyzeCaptures,
  CaptureAnalyzer,
  ConnectionTracker,
  type EvidenceReport,
  MAX_OPEN_CONNECTIONS,
  type Segment,
} from '../src/index.js';
import { type Link, type Packet, pcap, pcapng, scenarioPackets } from './capture-builder.js';

const OPTIONS = { marginMs: 5000 };

function analyze(bytes: Uint8Array, file = 'test.pcap'): EvidenceReport {
  return analyzeCaptures([{ file, bytes }], OPTIONS);
}

/** Three idle closes after 5000 ms (and 5000.5, 4999.5) by 10.0.3.7:8080, one race of each ordering. */
function mixedTraffic(ipv6 = false): Packet[] {
  const client = ipv6 ? '2001:db8::5' : '10.0.3.5';
  const server = ipv6 ? '2001:db8::7' : '10.0.3.7';
  const base = { client, server };
  return [
    ...scenarioPackets({ ...base, cport: 41001, idleMs: 5000, startUs: 1_780_000_000_000_000 }),
    ...scenarioPackets({ ...base, cport: 41002, idleMs: 5000.5, startUs: 1_780_000_100_000_000 }),
    ...scenarioPackets({ ...base, cport: 41003, idleMs: 4999.5, startUs: 1_780_000_200_000_000 }),
    ...scenarioPackets({
      ...base,
      cport: 41004,
      idleMs: 5000.1,
      race: 'fin-then-request',
      startUs: 1_780_000_300_000_000,
    }),
    ...scenarioPackets({
      ...base,
      cport: 41005,
      idleMs: 4999.9,
      race: 'request-then-rst',
      startUs: 1_780_000_400_000_000,
    }),
  ];
}

function assertMixed(report: EvidenceReport, server = '10.0.3.7:8080', client = '10.0.3.5'): void {
  assert.deepEqual(report.diagnostics, []);
  assert.equal(report.connections, 5);
  assert.equal(report.racesTotal, 2);
  const [finFirst, rstOnly] = report.races;
  assert.equal(finFirst!.serverFinBeforeRequestMs, 0.001);
  assert.equal(finFirst!.idleBeforeRequestMs, 5000.101);
  assert.equal(finFirst!.answer, 'rst');
  assert.equal(rstOnly!.serverFinBeforeRequestMs, null);
  assert.equal(rstOnly!.idleBeforeRequestMs, 4999.9);
  assert.equal(rstOnly!.answer, 'rst');
  assert.match(finFirst!.connection, new RegExp(`^.*:41004>${server.replace(/[[\]]/g, '\\$&')}$`));
  assert.equal(report.servers.length, 1);
  assert.equal(report.servers[0]!.address, server);
  assert.equal(report.servers[0]!.idleCloses, 3);
  assert.deepEqual(report.servers[0]!.idleCloseMs, { min: 4999.5, median: 5000, max: 5000.5 });
  assert.equal(report.clients[0]!.address, client);
  assert.equal(report.clients[0]!.idleCloses, 0);
  assert.equal(report.clients[0]!.heldIdleAtLeastMs, 5000.5);
  assert.equal(report.hops[0]!.verdict, 'violation');
}

describe('capture decoding', () => {
  const links: Link[] = ['ethernet', 'ethernet-vlan', 'sll', 'sll2', 'raw', 'null'];
  for (const link of links) {
    for (const bigEndian of [false, true]) {
      test(`pcap, ${link}, ${bigEndian ? 'big' : 'little'}-endian, µs`, () => {
        assertMixed(analyze(pcap(mixedTraffic(), { link, bigEndian })));
      });
    }
  }
  test('pcap with nanosecond timestamps', () => {
    assertMixed(analyze(pcap(mixedTraffic(), { link: 'ethernet', nano: true })));
  });
  test('IPv6', () => {
    assertMixed(analyze(pcap(mixedTraffic(true), { link: 'ethernet' })), '[2001:db8::7]:8080', '2001:db8::5');
  });
  test('pcapng, two interfaces (Ethernet µs, Linux cooked v2 ns), both byte orders', () => {
    for (const bigEndian of [false, true])
      assertMixed(
        analyze(
          pcapng(mixedTraffic(), [{ link: 'ethernet' }, { link: 'sll2', tsresol: 9 }], bigEndian),
          'test.pcapng',
        ),
      );
  });
  test('pcapng with a power-of-two resolution (if_tsresol 0x94: 2^-20 s)', () => {
    const report = analyze(pcapng(mixedTraffic(), [{ link: 'raw', tsresol: 0x94 }]));
    assert.equal(report.racesTotal, 2);
    const idle = report.servers[0]!.idleCloseMs!;
    assert.ok(Math.abs(idle.median - 5000) < 0.01, JSON.stringify(idle));
  });
  test('a small snap length keeps the request and status lines (96 bytes)', () => {
    assertMixed(analyze(pcap(mixedTraffic(), { link: 'ethernet', snapLength: 96 })));
  });
  test('bytes pushed one at a time give the same report as one chunk', () => {
    const bytes = pcapng(mixedTraffic(), [{ link: 'ethernet' }]);
    const analyzer = new CaptureAnalyzer(OPTIONS);
    const input = analyzer.openFile('bytewise.pcapng');
    for (let i = 0; i < bytes.length; i++) input.push(bytes.subarray(i, i + 1));
    input.end();
    assertMixed(analyzer.finish());
  });
});

describe('bad input: clear message with file and offset, what was read still counts', () => {
  test('a truncated last record', () => {
    const bytes = pcap(mixedTraffic(), { link: 'ethernet' });
    const report = analyze(bytes.subarray(0, bytes.length - 10), 'cut.pcap');
    assert.equal(report.diagnostics.length, 1);
    const d = report.diagnostics[0]!;
    assert.equal(d.code, 'truncated-record');
    assert.equal(d.file, 'cut.pcap');
    assert.ok(d.offset > 24 && d.offset < bytes.length - 10);
    // The last packet (the server's RST answering the second race) is lost; the rest counts.
    assert.equal(report.racesTotal, 1);
    assert.equal(report.otherCloses[0]!.kind, 'open-at-end');
    assert.equal(report.servers[0]!.idleCloses, 3);
  });
  test('not a capture', () => {
    const report = analyze(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'), 'notes.txt');
    assert.equal(report.diagnostics[0]!.code, 'not-a-capture');
    assert.equal(report.diagnostics[0]!.offset, 0);
    assert.equal(report.frames, 0);
  });
  test('an unknown link type', () => {
    const bytes = pcap(mixedTraffic(), { link: 'ethernet' });
    new DataView(bytes.buffer).setUint32(20, 147, true);
    const report = analyze(bytes, 'user.pcap');
    assert.equal(report.diagnostics[0]!.code, 'unknown-link-type');
    assert.equal(report.diagnostics[0]!.offset, 24);
    assert.match(report.diagnostics[0]!.message, /link type 147/);
  });
  test('a record header claiming 1 GB', () => {
    const bytes = pcap(mixedTraffic(), { link: 'ethernet' });
    new DataView(bytes.buffer).setUint32(24 + 8, 1 << 30, true);
    const report = analyze(bytes, 'bad.pcap');
    assert.equal(report.diagnostics[0]!.code, 'bad-record');
    assert.equal(report.diagnostics[0]!.offset, 24);
  });
});

describe('connections', () => {
  const request = 'GET / HTTP/1.1\r\n\r\n';
  const pkt = (dt: number, fromClient: boolean, flags: string, payload?: string, sport = 8080): Packet => ({
    timeUs: 1_780_000_000_000_000 + dt,
    src: fromClient ? '10.0.0.1' : '10.0.0.2',
    dst: fromClient ? '10.0.0.2' : '10.0.0.1',
    sport: fromClient ? 50000 : sport,
    dport: fromClient ? sport : 50000,
    flags,
    payload,
    seq: 1 + dt,
  });
  test('a mid-stream start: the side sending a status line is the server', () => {
    const report = analyze(
      pcap(
        [
          pkt(0, false, 'PA', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
          pkt(3_000_000, true, 'FA'),
          pkt(3_000_100, false, 'FA'),
        ],
        { link: 'raw' },
      ),
    );
    assert.equal(report.clients[0]!.address, '10.0.0.1');
    assert.deepEqual(report.clients[0]!.idleCloseMs, { min: 3000, median: 3000, max: 3000 });
  });
  test('RST answering a SYN is a refused connect, not a race', () => {
    const report = analyze(pcap([pkt(0, true, 'S'), pkt(50, false, 'RA')], { link: 'raw' }));
    assert.equal(report.racesTotal, 0);
    assert.equal(report.otherCloses[0]!.kind, 'connect-refused');
  });
  test('Connection: close after a response: a close after N requests', () => {
    const report = analyze(
      pcap(
        [
          pkt(0, true, 'S'),
          pkt(10, false, 'SA'),
          pkt(20, true, 'PA', request),
          pkt(30, false, 'PA', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
          pkt(31, false, 'FA'),
          pkt(40, true, 'FA'),
        ],
        { link: 'raw' },
      ),
    );
    assert.equal(report.otherCloses[0]!.kind, 'server-after-requests');
    assert.deepEqual(report.otherCloses[0]!.requests, { min: 1, max: 1 });
    assert.equal(report.servers.length, 0);
  });
  test('a close in the middle of a response body is a crash, not an idle close', () => {
    const report = analyze(
      pcap(
        [
          pkt(0, true, 'S'),
          pkt(10, false, 'SA'),
          pkt(20, true, 'PA', request),
          pkt(30, false, 'PA', 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial'),
          pkt(31, false, 'FA'),
          pkt(40, true, 'FA'),
        ],
        { link: 'raw' },
      ),
    );
    assert.equal(report.otherCloses[0]!.kind, 'server-during-response');
    assert.equal(report.racesTotal, 0);
  });
  test('HTTP/2 prior knowledge is out of scope', () => {
    const report = analyze(
      pcap(
        [
          pkt(0, true, 'S'),
          pkt(10, false, 'SA'),
          pkt(20, true, 'PA', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
          pkt(5_000_000, false, 'FA'),
          pkt(5_000_100, true, 'FA'),
        ],
        { link: 'raw' },
      ),
    );
    assert.equal(report.otherCloses[0]!.kind, 'http2');
    assert.equal(report.servers.length, 0);
  });
  test('a retransmitted request is not a second request', () => {
    const report = analyze(
      pcap(
        [
          pkt(0, true, 'S'),
          pkt(10, false, 'SA'),
          { ...pkt(20, true, 'PA', request), seq: 10 },
          { ...pkt(220, true, 'PA', request), seq: 10 },
          pkt(230, false, 'PA', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
          pkt(231, false, 'FA'),
          pkt(240, true, 'FA'),
        ],
        { link: 'raw' },
      ),
    );
    assert.deepEqual(report.otherCloses[0]!.requests, { min: 1, max: 1 });
  });
});

test('memory bound: beyond MAX_OPEN_CONNECTIONS open at once, the silent half is summarised and dropped', () => {
  const closed: string[] = [];
  const tracker = new ConnectionTracker((summary) => closed.push(summary.kind));
  const segment: Segment = {
    timeUs: 0,
    src: 0,
    dst: 0,
    flags: 0x02,
    seq: 1,
    ack: 0,
    payloadLength: 0,
    data: new Uint8Array(0),
    payloadOffset: 0,
    capturedPayload: 0,
    fileOffset: 0,
  };
  const server = 0x0a000307 * 65536 + 8080;
  for (let i = 0; i <= MAX_OPEN_CONNECTIONS; i++) {
    segment.timeUs = 1_780_000_000_000_000 + i;
    segment.src = (0x0a000000 + Math.floor(i / 60_000)) * 65536 + 1024 + (i % 60_000);
    segment.dst = server;
    tracker.segment(segment);
  }
  assert.ok(tracker.openConnections <= MAX_OPEN_CONNECTIONS / 2 + 1, String(tracker.openConnections));
  assert.equal(tracker.evicted, closed.length);
  assert.ok(closed.length >= MAX_OPEN_CONNECTIONS / 2);
  assert.ok(closed.every((kind) => kind === 'open-at-end'));
});
