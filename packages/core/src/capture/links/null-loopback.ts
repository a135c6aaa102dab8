import type { LinkTypeDefinition, NetworkStart } from '../types.js';

/** Address families in BSD loopback headers: AF_INET 2; AF_INET6 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). */
function family(value: number, offset: number, out: NetworkStart): boolean {
  out.offset = offset + 4;
  if (value === 2) out.version = 4;
  else if (value === 24 || value === 28 || value === 30 || value === 10) out.version = 6;
  else {
    out.version = 0;
    return false;
  }
  return true;
}

/** LINKTYPE_NULL (0), BSD loopback: a 4-byte address family in the capturing host's byte order. */
export const nullLoopbackLink: LinkTypeDefinition = {
  linkType: 0,
  name: 'BSD loopback',
  decode(data, offset, length, out) {
    if (length < 4) return false;
    const little = data[offset]! | (data[offset + 1]! << 8);
    const big = (data[offset + 2]! << 8) | data[offset + 3]!;
    return family(little !== 0 ? little : big, offset, out);
  },
};

/** LINKTYPE_LOOP (108), OpenBSD loopback: the family in network byte order. */
export const loopLink: LinkTypeDefinition = {
  linkType: 108,
  name: 'OpenBSD loopback',
  decode(data, offset, length, out) {
    if (length < 4) return false;
    return family((data[offset + 2]! << 8) | data[offset + 3]!, offset, out);
  },
};
