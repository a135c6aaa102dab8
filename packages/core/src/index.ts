export * from './assemble.js';
export * from './duration/duration.js';
export * from './duration/syntaxes.js';
export * from './errors.js';
export * from './evaluate.js';
export * from './facts.js';
export * from './findings.js';
export * from './hops.js';
export * from './hops-file.js';
export * from './kb/index.js';
export * from './logs/public.js';
export * from './logs/registry.js';
export * from './logs/types.js';
export * from './messages.js';
export * from './readers/registry.js';
export * from './readers/servers/public.js';
export * from './readers/types.js';
export {
  DEFAULT_MARGIN_MS,
  MIN_SAFE_HEADROOM_MS,
  RULES,
  type Rule,
  type RuleContext,
  ruleById,
} from './rules/index.js';
export * from './sources/alb.js';
export * from './sources/file-reader.js';
export { type ProbeMeasurement, type ProbeOptions, probeFact } from './sources/probe.js';
// The full API has every source kind: the reader-backed ones register when this module loads.
export { READER_SOURCE_KINDS_REGISTERED } from './sources/reader-kinds.js';
export {
  ensureSourceKind,
  parseSource,
  registerSourceKind,
  resolveSource,
  sourceKinds,
} from './sources/registry.js';
export * from './sources/spec.js';
export * from './sources/types.js';
export { defaultLabel, valueFact } from './sources/value.js';
