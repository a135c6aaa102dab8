import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseJson, runCli } from './cli-helpers.js';

const FIXTURES = fileURLToPath(new URL('../../core/test/fixtures/terraform/', import.meta.url));

describe('terraform: through the CLI (HCL parsed by @cdktf/hcl2json in a worker)', () => {
  it('a module folder: one hop per load balancer, values with file:line, the NLB out of scope', async () => {
    const result = await runCli(
      ['check', '--lb', 'terraform:module#aws_lb.web', '--backend', '65s', '--json'],
      {
        cwd: FIXTURES,
      },
    );
    assert.equal(result.code, 1, result.stderr);
    const hop = parseJson(result).hops[0];
    assert.equal(hop.clientIdleMs, 120_000);
    const fact = hop.client.facts.find((f: any) => f.subject === 'pool-idle');
    assert.deepEqual([fact.provenance.file, fact.provenance.line], ['module/main.tf', 6]);
  });

  it('HCL that does not parse: a config-unreadable finding at the parser line, exit 2 (unknown)', async () => {
    const result = await runCli(['check', '--lb', 'terraform:broken.tf', '--backend', '65s', '--json'], {
      cwd: FIXTURES,
    });
    assert.equal(result.code, 2, result.stderr);
    const finding = parseJson(result).findings.find((f: any) => f.id === 'config-unreadable');
    assert.equal(finding.numbers.line, 3);
    assert.match(finding.details.message, /does not parse as HCL/);
  });
});
