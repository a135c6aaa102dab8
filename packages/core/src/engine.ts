/**
 * `@keepalive-parity/core/engine`: the engine without the config and log readers and their parsers
 * (YAML, ...): Duration, facts, the knowledge base, hops, rules, findings and the source registry,
 * whose reader-backed kinds (`nginx:`, `k8s:`, `cmd:`, ...) load on first use. The CLI's common
 * paths (`check`, `assert` with literal, `runtime:` and `env:` sources) import this to start fast;
 * `@keepalive-parity/core` is the full API.
 */
export * from './assemble.js';
export * from './duration/duration.js';
export * from './duration/syntaxes.js';
export * from './errors.js';
export * from './evaluate.js';
export * from './facts.js';
export * from './findings.js';
export * from './hops.js';
export type { HopSpec, HopsFile, SideSpec } from './hops-file.js';
export * from './kb/index.js';
export * from './messages.js';
export {
  DEFAULT_MARGIN_MS,
  MIN_SAFE_HEADROOM_MS,
  RULES,
  type Rule,
  type RuleContext,
  ruleById,
} from './rules/index.js';
export * from './sources/alb.js';
export { type ProbeMeasurement, type ProbeOptions, probeFact } from './sources/probe.js';
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
