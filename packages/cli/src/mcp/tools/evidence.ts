import { z } from 'zod';
import { evidenceSchema } from '../schemas.js';
import { cliArgs, defineTool } from '../tool.js';

export const evidenceTool = defineTool({
  command: 'evidence',
  title: 'Find the race and both timeouts in packet captures',
  description:
    "Step 3 of the playbook (both timeouts, measured) and proof of the race itself: reads pcap/pcapng captures (gzip or not; folders recursively) taken between the proxy and the backend (e.g. tcpdump -ni any -s 256 -w race.pcap 'tcp port 8080'), follows every TCP connection and returns the races (a request sent on a reused idle connection the server had just closed with FIN, or answered with RST: the phantom 502, each with its connection, time and idle gap), each server's keep-alive and each client's pool idle measured at their idle closes (min/median/max), the hop verdict by check's rule (holds | violation | unknown, rule ids), and other closes that are a different cause (max requests, crash during a response, connect refused, HTTP/2). Use it when logs are inconclusive or to show the race on the wire; the captures are also sources for check (pcap:FILE). Exit 1 = a race or a violated hop; exit 2 (isError) = nothing readable, or part of the capture unreadable with nothing found in the rest. Reads local files only. Time: about 4 s per GB; reports progress by bytes read; cancel to stop reading.",
  input: {
    captures: z
      .array(z.string())
      .min(1)
      .describe('capture files (.pcap, .pcapng, .gz) or folders, relative to the server cwd'),
    margin: z
      .string()
      .optional()
      .describe("the rule's margin for the hop verdict, a duration such as 5s (default 5s, as check)"),
  },
  output: evidenceSchema,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  argv: (input) => cliArgs(input, ['captures']),
});
