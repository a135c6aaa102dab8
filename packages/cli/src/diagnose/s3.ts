import type { Readable } from 'node:stream';
import { KeepaliveParityError } from '@keepalive-parity/core';

/**
 * `s3://bucket/prefix` inputs: objects are listed and streamed one at a time (read-only calls:
 * ListObjectsV2 and GetObject). With --since/--until, ALB's key layout
 * (`.../elasticloadbalancing/<region>/yyyy/mm/dd/..._<end-time>_...log.gz`, each file covering the
 * 5 minutes before `end-time`) is used to list only the days in the window and skip objects outside it.
 * The AWS SDK is imported here, lazily, so other commands never load it.
 */

const FILE_SPAN_MS = 5 * 60_000;
const MAX_DAY_PREFIXES = 400;

/** End time of an ALB/ELB log object from its key (`_20140215T2340Z_`), or null. */
export function albKeyEndTimeMs(key: string): number | null {
  const m = /_(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)Z_/.exec(key);
  if (!m) return null;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
}

/** True when the object may hold lines in `[sinceMs, untilMs)` (unknown layout: true). */
export function keyInWindow(key: string, sinceMs?: number, untilMs?: number): boolean {
  const end = albKeyEndTimeMs(key);
  if (end === null) return true;
  if (sinceMs !== undefined && end <= sinceMs) return false;
  // ALB files hold a 5-minute period; Classic ELB files may hold up to 60 minutes.
  if (untilMs !== undefined && end - 60 * 60_000 >= untilMs) return false;
  if (untilMs !== undefined && /_app\./.test(key) && end - FILE_SPAN_MS >= untilMs) return false;
  return true;
}

/** Day prefixes under an `.../elasticloadbalancing/<region>/` prefix for the window, else [prefix]. */
export function listingPrefixes(prefix: string, sinceMs?: number, untilMs?: number): string[] {
  if (sinceMs === undefined || !/\/elasticloadbalancing\/[a-z0-9-]+\/?$/.test(prefix)) return [prefix];
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const until = untilMs ?? Date.now();
  const out: string[] = [];
  const day = new Date(sinceMs);
  day.setUTCHours(0, 0, 0, 0);
  // The file that ends just after midnight is filed under the next day: include one extra day.
  for (let t = day.getTime(); t <= until + 86_400_000 && out.length <= MAX_DAY_PREFIXES; t += 86_400_000) {
    const d = new Date(t);
    out.push(
      `${base}${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/`,
    );
  }
  return out.length > MAX_DAY_PREFIXES ? [prefix] : out;
}

export interface S3Object {
  readonly key: string;
  readonly size: number;
}

/** Lists the objects of `s3://bucket/prefix` in the window, then streams them one by one to `onObject`. */
export async function forEachS3Object(
  bucket: string,
  prefix: string,
  window: { sinceMs?: number | undefined; untilMs?: number | undefined },
  onObject: (object: S3Object, body: Readable) => Promise<void>,
  signal: AbortSignal,
): Promise<{ listed: number; skipped: number }> {
  const { S3Client, ListObjectsV2Command, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    forcePathStyle:
      process.env.AWS_ENDPOINT_URL_S3 !== undefined || process.env.AWS_ENDPOINT_URL !== undefined,
  });
  let listed = 0;
  let skipped = 0;
  try {
    for (const listPrefix of listingPrefixes(prefix, window.sinceMs, window.untilMs)) {
      let token: string | undefined;
      do {
        if (signal.aborted) return { listed, skipped };
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: listPrefix, ContinuationToken: token }),
          { abortSignal: signal },
        );
        for (const o of page.Contents ?? []) {
          if (!o.Key || o.Key.endsWith('/')) continue;
          listed++;
          if (!keyInWindow(o.Key, window.sinceMs, window.untilMs)) {
            skipped++;
            continue;
          }
          const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }), {
            abortSignal: signal,
          });
          await onObject({ key: o.Key, size: o.Size ?? 0 }, object.Body as Readable);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
  } catch (error) {
    if (signal.aborted) return { listed, skipped };
    const name = (error as Error).name;
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      `cannot read s3://${bucket}/${prefix}: ${name}: ${(error as Error).message}`,
      { file: `s3://${bucket}/${prefix}` },
    );
  } finally {
    client.destroy();
  }
  return { listed, skipped };
}
