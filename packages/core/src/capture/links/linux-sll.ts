import type { LinkTypeDefinition } from '../types.js';
import { fromEtherType } from './ethertype.js';

/** LINKTYPE_LINUX_SLL (113), `tcpdump -i any` before libpcap 1.10: 16-byte header, protocol at 14. */
export const linuxSllLink: LinkTypeDefinition = {
  linkType: 113,
  name: 'Linux cooked v1',
  decode(data, offset, length, out) {
    if (length < 16) return false;
    return fromEtherType((data[offset + 14]! << 8) | data[offset + 15]!, offset + 16, out);
  },
};
