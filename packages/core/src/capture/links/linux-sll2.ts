import type { LinkTypeDefinition } from '../types.js';
import { fromEtherType } from './ethertype.js';

/** LINKTYPE_LINUX_SLL2 (276), `tcpdump -i any` since libpcap 1.10: 20-byte header, protocol first. */
export const linuxSll2Link: LinkTypeDefinition = {
  linkType: 276,
  name: 'Linux cooked v2',
  decode(data, offset, length, out) {
    if (length < 20) return false;
    return fromEtherType((data[offset]! << 8) | data[offset + 1]!, offset + 20, out);
  },
};
