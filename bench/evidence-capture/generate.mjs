#!/usr/bin/env node
// Writes a synthetic pcap (Ethernet, IPv4, microsecond timestamps) of HTTP/1.1 keep-alive traffic:
// many interleaved connections from a proxy (10.0.1.0/24) to backends (10.0.3.7-9:8080), each with
// 20 request/response exchanges, then an idle close: by the server after 5 s (80 %) or by the client
// after 4 s (20 %); one connection in 500 races (server FIN, request 5 µs later, RST).
// Usage: node bench/evidence-capture/generate.mjs [--bytes 1100000000] [--out bench/out/evidence-1g.pcap]
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const targetBytes = Number(option('--bytes', String(1_100_000_000)));
const out = option('--out', 'bench/out/evidence-1g.pcap');
mkdirSync(dirname(out), { recursive: true });

const CONCURRENT = 4000;
const EXCHANGES = 20;
const REQUEST = Buffer.from(
  `GET /api/items?page=1 HTTP/1.1\r\nHost: backend\r\nUser-Agent: bench\r\nAccept: */*\r\nX-Request-Id: ${'0'.repeat(200)}\r\n\r\n`,
);
const BODY_LENGTH = 1300;
const RESPONSE = Buffer.concat([
  Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${BODY_LENGTH}\r\n\r\n`),
  Buffer.alloc(BODY_LENGTH, 0x61),
]);
const FIN = 0x01,
  SYN = 0x02,
  RST = 0x04,
  PSH = 0x08,
  ACK = 0x10;

const stream = createWriteStream(out, { highWaterMark: 8 << 20 });
let chunk = Buffer.allocUnsafe(8 << 20);
let used = 0;
let written = 0;
const header = Buffer.alloc(24);
header.writeUInt32LE(0xa1b2c3d4, 0);
header.writeUInt16LE(2, 4);
header.writeUInt16LE(4, 6);
header.writeUInt32LE(262144, 16);
header.writeUInt32LE(1, 20);
stream.write(header);
written += 24;

async function flush() {
  if (used === 0) return;
  const full = chunk.subarray(0, used);
  if (!stream.write(full)) await new Promise((r) => stream.once('drain', r));
  chunk = Buffer.allocUnsafe(8 << 20);
  used = 0;
}

function packet(timeUs, srcIp, dstIp, sport, dport, flags, seq, ack, payload) {
  const payloadLength = payload ? payload.length : 0;
  const frameLength = 14 + 20 + 32 + payloadLength;
  const b = chunk;
  let o = used;
  const seconds = Math.floor(timeUs / 1e6);
  b.writeUInt32LE(seconds, o);
  b.writeUInt32LE(timeUs - seconds * 1e6, o + 4);
  b.writeUInt32LE(frameLength, o + 8);
  b.writeUInt32LE(frameLength, o + 12);
  o += 16;
  b.fill(0x02, o, o + 12);
  b.writeUInt16BE(0x0800, o + 12);
  o += 14;
  b.writeUInt8(0x45, o);
  b.writeUInt8(0, o + 1);
  b.writeUInt16BE(20 + 32 + payloadLength, o + 2);
  b.writeUInt32BE(0x40000000, o + 4);
  b.writeUInt8(64, o + 8);
  b.writeUInt8(6, o + 9);
  b.writeUInt16BE(0, o + 10);
  b.writeUInt32BE(srcIp, o + 12);
  b.writeUInt32BE(dstIp, o + 16);
  o += 20;
  b.writeUInt16BE(sport, o);
  b.writeUInt16BE(dport, o + 2);
  b.writeUInt32BE(seq >>> 0, o + 4);
  b.writeUInt32BE(ack >>> 0, o + 8);
  b.writeUInt8(8 << 4, o + 12);
  b.writeUInt8(flags, o + 13);
  b.writeUInt16BE(512, o + 14);
  b.writeUInt32BE(0, o + 16);
  b.fill(0x01, o + 20, o + 32);
  o += 32;
  if (payload) {
    payload.copy(b, o);
    o += payloadLength;
  }
  used = o;
  written += 16 + frameLength;
}

// Deterministic pseudo-random numbers (xorshift32).
let state = 0x2545f491;
function rand() {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 4294967296;
}

// Connections as small state machines in a binary heap ordered by the time of their next packet.
const heap = [];
function push(c) {
  heap.push(c);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (heap[p].t <= heap[i].t) break;
    [heap[p], heap[i]] = [heap[i], heap[p]];
    i = p;
  }
}
function pop() {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l].t < heap[m].t) m = l;
      if (r < heap.length && heap[r].t < heap[m].t) m = r;
      if (m === i) break;
      [heap[m], heap[i]] = [heap[i], heap[m]];
      i = m;
    }
  }
  return top;
}

let nextPort = 0;
const completed = { race: 0, server: 0, client: 0 };
let connections = 0;
const START_US = 1_780_000_000_000_000;
function newConnection(t) {
  connections++;
  const n = nextPort++;
  const r = rand();
  return {
    t,
    step: 0,
    exchange: 0,
    client: (10 << 24) | (0 << 16) | (1 << 8) | (1 + (n % 250)),
    server: (10 << 24) | (0 << 16) | (3 << 8) | (7 + (n % 3)),
    cport: 1024 + (Math.floor(n / 250) % 60000),
    cseq: Math.floor(rand() * 2 ** 31),
    sseq: Math.floor(rand() * 2 ** 31),
    ending: r < 0.002 ? 'race' : r < 0.2 ? 'client' : 'server',
  };
}
for (let i = 0; i < CONCURRENT; i++) push(newConnection(START_US + Math.floor(rand() * 5_000_000)));

// Steps: 0 SYN, 1 SYN-ACK, 2 ACK, then per exchange 3 request, 4 ACK, 5 response, 6 ACK; 7+ close.
while (written < targetBytes) {
  const c = pop();
  const t = Math.round(c.t);
  const up = (flags, payload) => {
    packet(t, c.client, c.server, c.cport, 8080, flags, c.cseq, c.sseq, payload);
    if (payload) c.cseq += payload.length;
    if (flags & (SYN | FIN)) c.cseq += 1;
  };
  const down = (flags, payload) => {
    packet(t, c.server, c.client, 8080, c.cport, flags, c.sseq, c.cseq, payload);
    if (payload) c.sseq += payload.length;
    if (flags & (SYN | FIN)) c.sseq += 1;
  };
  let delayUs = 30;
  let done = false;
  switch (c.step) {
    case 0:
      up(SYN);
      break;
    case 1:
      down(SYN | ACK);
      break;
    case 2:
      up(ACK);
      delayUs = 200;
      break;
    case 3:
      up(PSH | ACK, REQUEST);
      break;
    case 4:
      down(ACK);
      delayUs = 1000 + rand() * 3000;
      break;
    case 5:
      down(PSH | ACK, RESPONSE);
      break;
    case 6:
      up(ACK);
      c.exchange++;
      if (c.exchange < EXCHANGES) {
        c.step = 2;
        delayUs = 10_000 + rand() * 90_000;
      } else if (c.ending === 'client') delayUs = 4_000_000 + rand() * 2000;
      else delayUs = 5_000_000 + rand() * 2000;
      break;
    case 7:
      if (c.ending === 'client') up(FIN | ACK);
      else down(FIN | ACK);
      delayUs = c.ending === 'race' ? 5 : 60;
      break;
    case 8:
      if (c.ending === 'race') up(PSH | ACK, REQUEST);
      else if (c.ending === 'client') down(FIN | ACK);
      else up(FIN | ACK);
      delayUs = 40;
      break;
    case 9:
      if (c.ending === 'race') down(RST);
      else if (c.ending === 'client') up(ACK);
      else down(ACK);
      completed[c.ending]++;
      done = true;
      break;
  }
  if (done) push(newConnection(c.t + 1000 + rand() * 100_000));
  else {
    c.step++;
    c.t += delayUs;
    push(c);
  }
  if (used > chunk.length - 4096) await flush();
}
await flush();
await new Promise((resolve) => stream.end(resolve));
process.stderr.write(
  `wrote ${out}: ${written} bytes, ${connections} connections started; completed: ${completed.race} races, ${completed.server} server idle closes, ${completed.client} client idle closes\n`,
);
