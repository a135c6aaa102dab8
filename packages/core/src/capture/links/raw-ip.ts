import type { LinkTypeDefinition, NetworkStart } from '../types.js';

function byVersionNibble(data: Uint8Array, offset: number, length: number, out: NetworkStart): boolean {
  if (length < 1) return false;
  const version = data[offset]! >> 4;
  out.offset = offset;
  out.version = version === 4 ? 4 : version === 6 ? 6 : 0;
  return out.version !== 0;
}

/** LINKTYPE_RAW (101; DLT 12 and 14 on some systems): the frame is the IP packet. */
export const rawIpLink: LinkTypeDefinition = { linkType: 101, name: 'raw IP', decode: byVersionNibble };
export const rawIpDlt12Link: LinkTypeDefinition = {
  linkType: 12,
  name: 'raw IP (DLT 12)',
  decode: byVersionNibble,
};
export const rawIpDlt14Link: LinkTypeDefinition = {
  linkType: 14,
  name: 'raw IP (DLT 14)',
  decode: byVersionNibble,
};
/** LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229). */
export const ipv4Link: LinkTypeDefinition = { linkType: 228, name: 'IPv4', decode: byVersionNibble };
export const ipv6Link: LinkTypeDefinition = { linkType: 229, name: 'IPv6', decode: byVersionNibble };
