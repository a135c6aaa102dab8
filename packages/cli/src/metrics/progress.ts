import type { CliContext } from '../context.js';

/**
 * Several reads in a row (metrics inputs, then the logs, or verify's before- and after-window
 * passes over the same logs) as one progress count that only increases, as MCP progress
 * notifications must: each phase continues from the last count sent. The total is left unknown
 * (the phases count different things: inputs, bytes).
 */
export function progressPhases(context: CliContext): (label: string) => CliContext {
  const report = context.onProgress;
  if (!report) return () => context;
  let sent = 0;
  let base = 0;
  return (label) => {
    base = sent;
    return {
      ...context,
      onProgress: (done, _total, message) => {
        if (base + done <= sent) return;
        sent = base + done;
        report(sent, undefined, `${label}: ${message}`);
      },
    };
  };
}
