import type { LinkTypeDefinition } from '../types.js';
import { fromEtherType } from './ethertype.js';

/** 802.1Q, 802.1ad (QinQ) and the old 0x9100 tag: 4 bytes each, stacked. */
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);

/** LINKTYPE_ETHERNET (1): 6+6 byte MACs, EtherType, any number of VLAN tags. */
export const ethernetLink: LinkTypeDefinition = {
  linkType: 1,
  name: 'Ethernet',
  decode(data, offset, length, out) {
    let at = offset + 12;
    const end = offset + length;
    for (let tags = 0; tags < 8; tags++) {
      if (at + 2 > end) return false;
      const etherType = (data[at]! << 8) | data[at + 1]!;
      if (!VLAN_TAGS.has(etherType)) return fromEtherType(etherType, at + 2, out);
      at += 4;
    }
    return false;
  },
};
