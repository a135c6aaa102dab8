export * from './errors.js';
export * from './duration/duration.js';
export * from './duration/syntaxes.js';
export * from './facts.js';
export * from './hops.js';
export * from './findings.js';
export * from './evaluate.js';
export * from './messages.js';
export * from './hops-file.js';
export * from './assemble.js';
export * from './kb/index.js';
export {
  RULES,
  ruleById,
  DEFAULT_MARGIN_MS,
  MIN_SAFE_HEADROOM_MS,
  type Rule,
  type RuleContext,
} from './rules/index.js';
export * from './sources/spec.js';
export * from './sources/types.js';
export { parseSource, registerSourceKind, resolveSource, sourceKinds } from './sources/registry.js';
export { valueFact, defaultLabel } from './sources/value.js';
export { type ProbeMeasurement, type ProbeOptions, probeFact } from './sources/probe.js';
export * from './readers/types.js';
export * from './readers/registry.js';
export * from './sources/file-reader.js';
export * from './readers/servers/public.js';
export * from './sources/alb.js';
export * from './logs/types.js';
export * from './logs/registry.js';
export * from './logs/public.js';
