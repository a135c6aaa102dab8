import type { NetworkStart, Segment } from './types.js';

function hex4(data: Uint8Array, at: number): string {
  return ((data[at]! << 8) | data[at + 1]!).toString(16);
}

/** RFC 5952 text of the 16 bytes at `at` (longest run of zero groups shortened to `::`). */
export function formatIpv6(data: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(hex4(data, at + i * 2));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Decodes the TCP segment inside an IPv4 or IPv6 packet into `out`. False when the packet is not
 * TCP, is a later fragment, or the snap length cut the IP or TCP header.
 */
export function decodeTcp(data: Uint8Array, network: NetworkStart, end: number, out: Segment): boolean {
  let at = network.offset;
  let tcpLength: number;
  let srcIp4 = 0;
  let dstIp4 = 0;
  let srcIp6 = '';
  let dstIp6 = '';
  if (network.version === 4) {
    if (at + 20 > end) return false;
    const ihl = (data[at]! & 0x0f) * 4;
    if (data[at]! >> 4 !== 4 || ihl < 20 || at + ihl > end) return false;
    if (data[at + 9] !== 6) return false;
    // A later fragment has no TCP header; skip it (the first fragment still counts).
    if ((((data[at + 6]! & 0x1f) << 8) | data[at + 7]!) !== 0) return false;
    const totalLength = (data[at + 2]! << 8) | data[at + 3]!;
    srcIp4 = ((data[at + 12]! << 24) | (data[at + 13]! << 16) | (data[at + 14]! << 8) | data[at + 15]!) >>> 0;
    dstIp4 = ((data[at + 16]! << 24) | (data[at + 17]! << 16) | (data[at + 18]! << 8) | data[at + 19]!) >>> 0;
    // Total length 0: TCP segmentation offload on the capturing host; trust the captured bytes.
    tcpLength = totalLength === 0 ? end - at - ihl : totalLength - ihl;
    at += ihl;
  } else {
    if (at + 40 > end) return false;
    if (data[at]! >> 4 !== 6) return false;
    let next = data[at + 6]!;
    const payloadLength = (data[at + 4]! << 8) | data[at + 5]!;
    srcIp6 = formatIpv6(data, at + 8);
    dstIp6 = formatIpv6(data, at + 24);
    let remaining = payloadLength === 0 ? end - at - 40 : payloadLength;
    at += 40;
    // Hop-by-hop, routing, destination options: skip; a fragment header: skip the packet.
    for (let hops = 0; next !== 6 && hops < 8; hops++) {
      if ((next !== 0 && next !== 43 && next !== 60) || at + 2 > end) return false;
      const size = (data[at + 1]! + 1) * 8;
      next = data[at]!;
      at += size;
      remaining -= size;
    }
    if (next !== 6) return false;
    tcpLength = remaining;
  }
  if (at + 20 > end) return false;
  const headerLength = (data[at + 12]! >> 4) * 4;
  if (headerLength < 20 || tcpLength < headerLength) return false;
  const srcPort = (data[at]! << 8) | data[at + 1]!;
  const dstPort = (data[at + 2]! << 8) | data[at + 3]!;
  if (network.version === 4) {
    out.src = srcIp4 * 65536 + srcPort;
    out.dst = dstIp4 * 65536 + dstPort;
  } else {
    out.src = `[${srcIp6}]:${srcPort}`;
    out.dst = `[${dstIp6}]:${dstPort}`;
  }
  out.seq = ((data[at + 4]! << 24) | (data[at + 5]! << 16) | (data[at + 6]! << 8) | data[at + 7]!) >>> 0;
  out.ack = ((data[at + 8]! << 24) | (data[at + 9]! << 16) | (data[at + 10]! << 8) | data[at + 11]!) >>> 0;
  out.flags = data[at + 13]!;
  out.payloadLength = tcpLength - headerLength;
  out.data = data;
  out.payloadOffset = at + headerLength;
  out.capturedPayload = Math.max(0, Math.min(out.payloadLength, end - out.payloadOffset));
  return true;
}
