/** One row of the defaults research table, with its source. */
export interface KnowledgeBaseEntry {
  /** Stable id: `slug(product)/slug(setting)`, e.g. `gunicorn/keepalive`. */
  readonly id: string;
  readonly product: string;
  /** Which side of the inequality it feeds. */
  readonly role: 'lb-upstream-pool' | 'server-keepalive' | 'client-pool';
  readonly setting: string;
  /** Where the setting is written. */
  readonly where: string;
  readonly unit: string;
  readonly syntax: string;
  /** Default in ms; null = unbounded, not a time value, or unknown (see notes). */
  readonly defaultMs: number | null;
  readonly versions: string;
  readonly sourceUrl: string;
  /** False: not confirmed from an official doc or the project's source. Never used in a verdict. */
  readonly verified: boolean;
  readonly notes: string;
}
