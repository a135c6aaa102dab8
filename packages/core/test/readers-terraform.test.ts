import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { terraformReader } from '../src/readers/terraform/index.js';
import { brief, factOf, readFixture, sideNamed } from './readers-helpers.js';

describe('terraform reader (load-balancer side)', () => {
  it('a module folder through the real HCL parser: idle_timeout with file:line, defaults, var defaults, expressions', async () => {
    const result = await readFixture(terraformReader, 'terraform/module');
    assert.deepEqual(result.diagnostics, []);
    const web = sideNamed(result, 'pool', 'aws_lb.web');
    assert.equal(web.label, 'ALB shop-web');
    assert.deepEqual(brief(factOf(web, 'pool-idle')), { value: 120_000, at: 'terraform/module/main.tf:6' });
    assert.deepEqual(brief(factOf(sideNamed(result, 'server', 'aws_lb.web'), 'connection-lifetime')), {
      value: 7_200_000,
      at: 'terraform/module/main.tf:7',
    });
    const legacy = factOf(sideNamed(result, 'pool', 'aws_alb.legacy'), 'pool-idle');
    assert.equal(legacy.isDefault, true);
    assert.equal(legacy.value.type === 'duration' && legacy.value.ms, 60_000);
    const nlb = sideNamed(result, 'pool', 'aws_lb.edge');
    assert.equal(nlb.product, 'aws-nlb');
    // var.elb_idle resolves to its default, with the variable's line.
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'aws_elb.classic'), 'pool-idle')), {
      value: 300_000,
      at: 'terraform/module/variables.tf:7',
    });
    const computed = factOf(sideNamed(result, 'pool', 'aws_lb.computed'), 'pool-idle');
    assert.equal(computed.value.type, 'unset');
    assert.match(computed.notes?.join(' ') ?? '', /expression/);
  });

  it('the JSON of terraform show -json: planned values in the root and child modules (data sources skipped)', async () => {
    const result = await readFixture(terraformReader, 'terraform/plan.json');
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.sides.filter((s) => s.role === 'pool').map((s) => [s.name, brief(factOf(s, 'pool-idle')).value]),
      [
        ['aws_lb.web', 120_000],
        ['module.edge.aws_lb.api', 30_000],
      ],
    );
  });

  it('HCL that does not parse, and a value that is not a number, are diagnostics with file:line', async () => {
    const broken = await readFixture(terraformReader, 'terraform/broken.tf');
    assert.equal(broken.diagnostics.length, 1);
    assert.deepEqual([broken.diagnostics[0]!.severity, broken.diagnostics[0]!.line], ['error', 3]);
    assert.equal(broken.sides.length, 0);
    const bad = await readFixture(terraformReader, 'terraform/bad-value.tf');
    assert.deepEqual(
      bad.diagnostics.map((d) => [d.line, d.field]),
      [[2, 'idle_timeout']],
    );
  });
});
