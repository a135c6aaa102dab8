// A node:test reporter that ends the run with every skip grouped by its reason. Node's own summary
// (`ℹ skipped N`) counts skipped tests only: a whole describe skipped for a missing program is not
// in it. This counts both. Used by scripts/run-tests.mjs next to the spec reporter.
export default async function* skipSummary(source) {
  const byReason = new Map();
  let suites = 0;
  let tests = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, name, details } = event.data;
    if (skip === undefined || skip === false) continue;
    const reason = skip === true ? '(no reason given)' : skip;
    const isSuite = details?.type === 'suite';
    if (isSuite) suites++;
    else tests++;
    if (!byReason.has(reason)) byReason.set(reason, []);
    byReason.get(reason).push(isSuite ? `${name} (whole suite)` : name);
  }
  if (suites + tests === 0) return;
  let text = `\nskips: ${suites + tests} (${suites} suites, ${tests} tests), by reason:\n`;
  for (const [reason, names] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
    text += `  ${names.length} × ${reason}\n`;
    for (const name of names) text += `      ${name}\n`;
  }
  yield text;
}
