import { KeepaliveParityError } from '../errors.js';
import type { Fact, FactValue } from '../facts.js';
import type { ResolvedSide, SourceIo, SourceKindDefinition } from './types.js';
import { defaultLabel } from './value.js';

/**
 * What the injected `io.probe(url, options)` returns: a live measurement of the server's idle
 * keep-alive close (the CLI opens the connections; the core only turns the result into a fact).
 */
export interface ProbeMeasurement {
  /** The URL as probed (no credentials). */
  readonly url: string;
  /** ISO-8601 time the measurement finished. */
  readonly measuredAt: string;
  /** Samples taken (connections opened). */
  readonly samples: number;
  /** Median idle close in ms over samples that closed (FIN or RST); null when none did. */
  readonly medianMs: number | null;
  /** False: the server closes after every response. Null: nothing was answered. */
  readonly keepAlive: boolean | null;
  /** Set when no sample saw a close: the server kept idle connections open at least this long. */
  readonly openForAtLeastMs?: number | undefined;
  /** `http/1.1`, `http/1.0`, `h2-only`, or null. */
  readonly protocol: string | null;
  /** Advertised `Keep-Alive: timeout=` in seconds, when sent. */
  readonly advertisedTimeoutSeconds: number | null;
  /** A failure that prevented a measurement (connect, TLS, protocol). */
  readonly error?: string | undefined;
}

export interface ProbeOptions {
  readonly through: 'direct' | 'lb';
  readonly samples?: number;
}

export interface ProbeIo extends SourceIo {
  probe?(url: string, options: ProbeOptions): Promise<ProbeMeasurement>;
}

export function formatMeasuredMs(ms: number): string {
  return `${Number(ms.toFixed(1))}ms`;
}

/** Turns a measurement into the server-keepalive fact, with provenance kind `probe`. */
export function probeFact(measurement: ProbeMeasurement, field: string): Fact {
  const provenance = {
    kind: 'probe' as const,
    url: measurement.url,
    measuredAt: measurement.measuredAt,
    samples: measurement.samples,
    through: 'direct' as const,
  };
  const notes: string[] = [];
  let value: FactValue;
  if (measurement.protocol === 'h2-only') {
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      `${field}: ${measurement.url} speaks only HTTP/2; this race concerns HTTP/1.1 connection reuse, so it cannot be measured`,
      { field },
    );
  }
  if (measurement.error !== undefined) {
    throw new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', `${field}: probe failed: ${measurement.error}`, {
      field,
    });
  }
  if (measurement.keepAlive === false) {
    value = { type: 'disabled', text: 'closes after every response (measured)' };
    notes.push('measured: the server closes the connection after every response (no keep-alive)');
  } else if (measurement.medianMs !== null) {
    // Whole milliseconds for the rules; the probe's own report keeps the fractional value.
    value = {
      type: 'duration',
      ms: Math.round(measurement.medianMs),
      text: formatMeasuredMs(measurement.medianMs),
    };
    notes.push(`measured median idle close over ${measurement.samples} sample(s)`);
    if (measurement.advertisedTimeoutSeconds !== null) {
      notes.push(`the server advertises Keep-Alive: timeout=${measurement.advertisedTimeoutSeconds}`);
    }
  } else if (measurement.openForAtLeastMs !== undefined) {
    value = {
      type: 'duration',
      ms: measurement.openForAtLeastMs,
      text: formatMeasuredMs(measurement.openForAtLeastMs),
    };
    notes.push(
      `lower bound: no idle close within ${formatMeasuredMs(measurement.openForAtLeastMs)}; the real keep-alive is at least this long`,
    );
  } else {
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      `${field}: the probe of ${measurement.url} measured no idle close (the server closed before answering)`,
      { field },
    );
  }
  return { subject: 'server-keepalive', value, provenance, notes };
}

export const probeSource: SourceKindDefinition = {
  kind: 'probe',
  roles: ['server'],
  summary: "A live measurement of the server's idle keep-alive close (median of 3 samples): probe:URL",
  example: '--backend probe:http://10.0.3.7:8080/healthz',
  async resolve(request, io: ProbeIo): Promise<ResolvedSide[]> {
    const url = request.spec.locator;
    if (!/^https?:\/\//i.test(url)) {
      throw new KeepaliveParityError(
        'KAP_SOURCE_INVALID',
        `${request.field}: probe: needs an http:// or https:// URL, not ${JSON.stringify(url)}`,
        { field: request.field },
      );
    }
    if (!io.probe) {
      throw new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', 'probing is not available here', {
        field: request.field,
      });
    }
    const measurement = await io.probe(url, { through: 'direct' });
    const fact: Fact = { ...probeFact(measurement, request.field), product: request.product };
    return [
      { label: defaultLabel(request), product: request.product, facts: [fact], source: request.spec.raw },
    ];
  },
};
