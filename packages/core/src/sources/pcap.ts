import type { EvidenceReport } from '../capture/analysis.js';
import {
  clientIsLowerBound,
  lowerBoundDiagnostic,
  measuredClientFact,
  measuredServerFact,
} from '../capture/findings/measured-facts.js';
import { KeepaliveParityError } from '../errors.js';
import type { ReaderDiagnostic } from '../readers/types.js';
import type { ResolvedSide, SourceIo, SourceKindDefinition } from './types.js';

/** The CLI reads (and streams) the capture; the core turns its measurements into facts. */
export interface CaptureIo extends SourceIo {
  readCapture?(path: string): Promise<EvidenceReport>;
}

/**
 * `pcap:FILE[#ADDRESS]`: the timeouts measured in a packet capture (pcap or pcapng, gzip or not).
 * As `--backend`: each server's idle close (median); as `--lb`: each client's pool idle close
 * (median), or the lower bound a server's idle close proves. `#ADDRESS` picks one server
 * (`10.0.3.7:8080`) or client (`10.0.3.5`). The same file may be given to both sides.
 */
export const pcapSource: SourceKindDefinition = {
  kind: 'pcap',
  roles: ['server', 'pool'],
  summary:
    'Timeouts measured in a packet capture (idle-close times per server / client): pcap:FILE[#ADDRESS]',
  example: '--backend pcap:race.pcap --lb pcap:race.pcap',
  async resolve(request, io: CaptureIo): Promise<ResolvedSide[]> {
    if (!io.readCapture) {
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        'reading packet captures is not available here',
        {
          field: request.field,
        },
      );
    }
    const file = request.spec.locator;
    const report = await io.readCapture(file);
    const wanted = request.spec.fragment;
    const from = (address: string) => `packet capture ${file}, ${address}`;
    // Part of the capture unread (not a capture, unknown link type, damage): it cannot show the rule
    // holds. A truncated last record only loses that record: a warning.
    const readProblems: ReaderDiagnostic[] = report.diagnostics.map((d) => ({
      severity: d.code === 'truncated-record' ? 'warning' : 'error',
      message: `byte ${d.offset}: ${d.message}`,
      file: d.file,
    }));
    const withProblems = (extra: ReaderDiagnostic[]) =>
      readProblems.length + extra.length > 0 ? [...readProblems, ...extra] : undefined;
    const sides: ResolvedSide[] =
      request.role === 'server'
        ? report.servers
            .filter((s) => wanted === undefined || s.address === wanted)
            .map((s) => ({
              label: s.address,
              product: request.product,
              facts: [{ ...measuredServerFact(s, from(s.address)), product: request.product }],
              source: request.spec.raw,
              diagnostics: withProblems([]),
            }))
        : report.clients
            .filter((c) => wanted === undefined || c.address === wanted)
            .map((c) => ({
              label: c.address,
              product: request.product,
              facts: [{ ...measuredClientFact(c, from(c.address)), product: request.product }],
              source: request.spec.raw,
              diagnostics: withProblems(
                clientIsLowerBound(c) ? [lowerBoundDiagnostic(file, c.heldIdleAtLeastMs ?? 0)] : [],
              ),
            }));
    if (sides.length === 0) {
      const known = (request.role === 'server' ? report.servers : report.clients).map((s) => s.address);
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        `${request.field}: ${file} holds no ${request.role === 'server' ? 'server' : 'client'} idle close${wanted === undefined ? '' : ` for ${wanted}`}${known.length > 0 ? ` (seen: ${known.slice(0, 10).join(', ')})` : ''}`,
        { field: request.field, file },
      );
    }
    return sides;
  },
};
