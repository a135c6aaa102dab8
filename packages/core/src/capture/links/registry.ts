import type { LinkTypeDefinition } from '../types.js';
import { ethernetLink } from './ethernet.js';
import { linuxSllLink } from './linux-sll.js';
import { linuxSll2Link } from './linux-sll2.js';
import { loopLink, nullLoopbackLink } from './null-loopback.js';
import { ipv4Link, ipv6Link, rawIpDlt12Link, rawIpDlt14Link, rawIpLink } from './raw-ip.js';

/** The one registry of link types, by LINKTYPE_* number (https://www.tcpdump.org/linktypes.html). */
export const LINK_TYPES: ReadonlyMap<number, LinkTypeDefinition> = new Map(
  [
    ethernetLink,
    linuxSllLink,
    linuxSll2Link,
    nullLoopbackLink,
    loopLink,
    rawIpLink,
    rawIpDlt12Link,
    rawIpDlt14Link,
    ipv4Link,
    ipv6Link,
  ].map((link) => [link.linkType, link]),
);
