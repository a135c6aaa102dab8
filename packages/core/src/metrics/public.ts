/** Metrics: series model, verdict rules, quiet-period signature, verify statistics (re-exported by the core index). */
export { combineVerdicts, diagnoseMetrics, type MetricsDiagnosis } from './evaluate.js';
export * from './rules/index.js';
export * from './stats.js';
export {
  citeMinutes,
  isDegraded,
  maxHealthyHosts,
  metricsRows,
  metricsTotals,
  minuteLabel,
} from './table.js';
export * from './types.js';
export * from './verify.js';
