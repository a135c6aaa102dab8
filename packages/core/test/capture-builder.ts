/**
 * Builds small captures byte by byte for the decoder tests and the fuzz test: TCP segments in
 * IPv4/IPv6, wrapped in a link-layer header, written as pcap (either byte order, µs or ns) or pcapng.
 */

export interface Packet {
  /** Microseconds since the epoch. */
  readonly timeUs: number;
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  /** Combination of S F R P A. */
  readonly flags: string;
  readonly seq?: number;
  readonly payload?: string;
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16 };

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

function ipv6Bytes(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const v = Number.parseInt(g, 16);
    return [v >> 8, v & 255];
  });
}

/** The IP packet (IPv4 or IPv6 by the address syntax) carrying one TCP segment. */
export function ipPacket(p: Packet): Uint8Array {
  const payload = [...(p.payload ?? '')].map((c) => c.charCodeAt(0) & 255);
  const tcp = [
    p.sport >> 8,
    p.sport & 255,
    p.dport >> 8,
    p.dport & 255,
    ...u32be(p.seq ?? 1000),
    ...u32be(0),
    5 << 4,
    [...p.flags].reduce((n, f) => n | (FLAG_BITS[f] ?? 0), 0),
    255,
    255,
    0,
    0,
    0,
    0,
    ...payload,
  ];
  if (p.src.includes(':')) {
    const length = tcp.length;
    return Uint8Array.from([
      0x60,
      0,
      0,
      0,
      length >> 8,
      length & 255,
      6,
      64,
      ...ipv6Bytes(p.src),
      ...ipv6Bytes(p.dst),
      ...tcp,
    ]);
  }
  const total = 20 + tcp.length;
  return Uint8Array.from([
    0x45,
    0,
    total >> 8,
    total & 255,
    0,
    0,
    0x40,
    0,
    64,
    6,
    0,
    0,
    ...ipv4Bytes(p.src),
    ...ipv4Bytes(p.dst),
    ...tcp,
  ]);
}

function u32be(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

export type Link = 'ethernet' | 'ethernet-vlan' | 'sll' | 'sll2' | 'raw' | 'null';
export const LINK_NUMBERS: Record<Link, number> = {
  ethernet: 1,
  'ethernet-vlan': 1,
  sll: 113,
  sll2: 276,
  raw: 101,
  null: 0,
};

export function frame(ip: Uint8Array, link: Link): Uint8Array {
  const v6 = ip[0]! >> 4 === 6;
  const etherType = v6 ? [0x86, 0xdd] : [0x08, 0x00];
  let header: number[];
  switch (link) {
    case 'ethernet':
      header = [...new Array(12).fill(2), ...etherType];
      break;
    case 'ethernet-vlan':
      header = [...new Array(12).fill(2), 0x81, 0x00, 0, 7, 0x81, 0x00, 0, 8, ...etherType];
      break;
    case 'sll':
      header = [0, 0, 0, 1, 0, 6, ...new Array(8).fill(0), ...etherType];
      break;
    case 'sll2':
      header = [...etherType, 0, 0, 0, 0, 0, 1, 0, 0, 0, 6, ...new Array(8).fill(0)];
      break;
    case 'raw':
      header = [];
      break;
    case 'null':
      header = v6 ? [30, 0, 0, 0] : [2, 0, 0, 0];
      break;
  }
  return Uint8Array.from([...header, ...ip]);
}

export interface PcapOptions {
  readonly link: Link;
  readonly bigEndian?: boolean;
  readonly nano?: boolean;
  readonly snapLength?: number;
}

export function pcap(packets: readonly Packet[], options: PcapOptions): Uint8Array {
  const le = !options.bigEndian;
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, options.nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
  header.setUint16(4, 2, le);
  header.setUint16(6, 4, le);
  header.setUint32(16, options.snapLength ?? 262144, le);
  header.setUint32(20, LINK_NUMBERS[options.link], le);
  parts.push(new Uint8Array(header.buffer));
  for (const p of packets) {
    const full = frame(ipPacket(p), options.link);
    const kept = full.subarray(0, Math.min(full.length, options.snapLength ?? full.length));
    const record = new DataView(new ArrayBuffer(16));
    const seconds = Math.floor(p.timeUs / 1e6);
    const micros = p.timeUs - seconds * 1e6;
    record.setUint32(0, seconds, le);
    record.setUint32(4, options.nano ? Math.round(micros * 1000) : Math.round(micros), le);
    record.setUint32(8, kept.length, le);
    record.setUint32(12, full.length, le);
    parts.push(new Uint8Array(record.buffer), kept);
  }
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, le);
  view.setUint32(4, total, le);
  out.set(body, 8);
  view.setUint32(total - 4, total, le);
  return out;
}

/**
 * pcapng with one interface per entry of `interfaces` (link, tsresol option byte); each packet goes
 * to interface `index % interfaces.length`.
 */
export function pcapng(
  packets: readonly Packet[],
  interfaces: readonly { link: Link; tsresol?: number }[],
  bigEndian = false,
): Uint8Array {
  const le = !bigEndian;
  const parts: Uint8Array[] = [];
  const shb = new DataView(new ArrayBuffer(16));
  shb.setUint32(0, 0x1a2b3c4d, le);
  shb.setUint16(4, 1, le);
  shb.setUint16(6, 0, le);
  shb.setInt32(8, -1, le);
  shb.setInt32(12, -1, le);
  parts.push(block(0x0a0d0d0a, new Uint8Array(shb.buffer), le));
  for (const iface of interfaces) {
    const body = new DataView(new ArrayBuffer(iface.tsresol === undefined ? 12 : 20));
    body.setUint16(0, LINK_NUMBERS[iface.link], le);
    body.setUint32(4, 262144, le);
    if (iface.tsresol !== undefined) {
      body.setUint16(8, 9, le);
      body.setUint16(10, 1, le);
      body.setUint8(12, iface.tsresol);
      body.setUint16(16, 0, le);
    }
    parts.push(block(1, new Uint8Array(body.buffer), le));
  }
  packets.forEach((p, i) => {
    const index = i % interfaces.length;
    const iface = interfaces[index]!;
    const data = frame(ipPacket(p), iface.link);
    const resolution = iface.tsresol ?? 6;
    const unitsPerSecond = resolution & 0x80 ? 2 ** (resolution & 0x7f) : 10 ** resolution;
    const units = BigInt(Math.round((p.timeUs / 1e6) * unitsPerSecond));
    const body = new DataView(new ArrayBuffer(20 + data.length));
    body.setUint32(0, index, le);
    body.setUint32(4, Number(units >> 32n), le);
    body.setUint32(8, Number(units & 0xffffffffn), le);
    body.setUint32(12, data.length, le);
    body.setUint32(16, data.length, le);
    const bytes = new Uint8Array(body.buffer);
    bytes.set(data, 20);
    parts.push(block(6, bytes, le));
  });
  return concat(parts);
}

/** One keep-alive exchange then an idle close by the server after `idleMs`, or the race. */
export function scenarioPackets(options: {
  readonly startUs?: number;
  readonly client?: string;
  readonly server?: string;
  readonly cport?: number;
  readonly sport?: number;
  readonly idleMs: number;
  readonly race?: 'fin-then-request' | 'request-then-rst';
  /** The client closes the idle connection (its pool idle timeout) instead of the server. */
  readonly clientCloses?: boolean;
}): Packet[] {
  const t0 = options.startUs ?? 1_780_000_000_000_000;
  const c = options.client ?? '10.0.3.5';
  const s = options.server ?? '10.0.3.7';
  const cp = options.cport ?? 41000;
  const sp = options.sport ?? 8080;
  const up = (dt: number, flags: string, seq: number, payload?: string): Packet => ({
    timeUs: t0 + dt,
    src: c,
    dst: s,
    sport: cp,
    dport: sp,
    flags,
    seq,
    payload,
  });
  const down = (dt: number, flags: string, seq: number, payload?: string): Packet => ({
    timeUs: t0 + dt,
    src: s,
    dst: c,
    sport: sp,
    dport: cp,
    flags,
    seq,
    payload,
  });
  const request = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n';
  const response = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const packets = [
    up(0, 'S', 100),
    down(10, 'SA', 500),
    up(20, 'A', 101),
    up(30, 'PA', 101, request),
    down(1030, 'PA', 501, response),
    up(1040, 'A', 101 + request.length),
  ];
  const idle = 1030 + options.idleMs * 1000;
  if (options.race === 'fin-then-request') {
    packets.push(down(idle, 'FA', 501 + response.length));
    packets.push(up(idle + 1, 'PA', 101 + request.length, request));
    packets.push(down(idle + 60, 'R', 502 + response.length));
  } else if (options.race === 'request-then-rst') {
    packets.push(up(idle, 'PA', 101 + request.length, request));
    packets.push(down(idle + 940, 'RA', 501 + response.length));
  } else if (options.clientCloses) {
    packets.push(up(idle, 'FA', 101 + request.length));
    packets.push(down(idle + 50, 'FA', 501 + response.length));
    packets.push(up(idle + 60, 'A', 102 + request.length));
  } else {
    packets.push(down(idle, 'FA', 501 + response.length));
    packets.push(up(idle + 50, 'FA', 101 + request.length));
    packets.push(down(idle + 60, 'A', 502 + response.length));
  }
  return packets;
}
