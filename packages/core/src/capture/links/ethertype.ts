import type { NetworkStart } from '../types.js';

/** EtherType 0x0800 → IPv4, 0x86DD → IPv6; anything else carries no IP. */
export function fromEtherType(etherType: number, offset: number, out: NetworkStart): boolean {
  out.offset = offset;
  if (etherType === 0x0800) out.version = 4;
  else if (etherType === 0x86dd) out.version = 6;
  else {
    out.version = 0;
    return false;
  }
  return true;
}
