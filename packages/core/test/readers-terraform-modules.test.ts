import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { terraformReader } from '../src/readers/terraform/index.js';
import { brief, factOf, readFixture, sideNamed } from './readers-helpers.js';

describe('terraform: module "alb" and values that depend on what was not read (issue 11)', async () => {
  const result = await readFixture(terraformReader, 'terraform/alb-module');
  const notes = (name: string) => factOf(sideNamed(result, 'pool', name), 'pool-idle').notes?.join(' ') ?? '';

  it('terraform-aws-modules/alb/aws without idle_timeout: the provider default 60 s, saying why', () => {
    const fact = factOf(sideNamed(result, 'pool', 'module.web'), 'pool-idle');
    assert.equal(fact.value.type === 'duration' && fact.value.ms, 60_000);
    assert.equal(fact.isDefault, true);
    assert.match(notes('module.web'), /variable defaults to null .*87f1c9c.*variables\.tf#L131/);
    assert.match(notes('module.web'), /AWS provider's default \(60\)/);
    assert.equal(sideNamed(result, 'pool', 'module.web').label, 'ALB shop');
    // The same load balancer is the server of the client → ALB hop.
    assert.equal(sideNamed(result, 'server', 'module.web').product, 'aws-alb');
  });

  it('module inputs: a literal, and a variable with a default (git source too)', () => {
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'module.api'), 'pool-idle')), {
      value: 120_000,
      at: 'terraform/alb-module/main.tf:15',
    });
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'module.tuned'), 'pool-idle')), {
      value: 90_000,
      at: 'terraform/alb-module/variables.tf:3',
    });
  });

  it('an NLB through the module is out of scope; create = false makes nothing; other modules are skipped', () => {
    assert.equal(sideNamed(result, 'pool', 'module.edge').product, 'aws-nlb');
    assert.ok(!result.sides.some((s) => s.name === 'module.off'));
    assert.ok(!result.sides.some((s) => s.name === 'module.vpc'));
  });

  it('a local module that looks like a load balancer: unknown with the reason', () => {
    const fact = factOf(sideNamed(result, 'pool', 'module.internal_lb'), 'pool-idle');
    assert.equal(fact.value.type, 'unset');
    assert.match(notes('module.internal_lb'), /local module \.\/modules\/lb, which was not read here/);
  });

  it('idle_timeout = var.x whose default is null: the provider default 60 s, not "no value"', () => {
    const fact = factOf(sideNamed(result, 'pool', 'aws_lb.nulled'), 'pool-idle');
    assert.equal(fact.value.type === 'duration' && fact.value.ms, 60_000);
    assert.match(notes('aws_lb.nulled'), /var\.nullable_idle defaults to null/);
  });

  it('idle_timeout = var.x with no default and no value: unknown, with the reason', () => {
    const fact = factOf(sideNamed(result, 'pool', 'aws_lb.from_outside'), 'pool-idle');
    assert.equal(fact.value.type, 'unset');
    assert.match(
      notes('aws_lb.from_outside'),
      /var\.idle_from_tfvars has no default .*none of which was read/,
    );
  });

  it('an argument Terraform rejects (idle_timeout_seconds) is an error at its line', () => {
    const typo = result.diagnostics.find((d) => d.field === 'idle_timeout_seconds');
    assert.ok(typo, JSON.stringify(result.diagnostics));
    assert.equal(typo.severity, 'error');
    assert.equal(typo.line, 56);
    assert.match(typo.message, /Unsupported argument/);
  });
});

describe('terraform: a local module read together with its caller', async () => {
  const result = await readFixture(terraformReader, 'terraform/local-modules');

  it("each call is read with its own inputs: a passed idle_timeout with the caller's file:line", () => {
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'module.web.aws_lb.this'), 'pool-idle')), {
      value: 120_000,
      at: 'terraform/local-modules/main.tf:4',
    });
  });

  it('a call that passes nothing gets the module variable default (null: the provider default 60 s)', () => {
    const fact = factOf(sideNamed(result, 'pool', 'module.admin.aws_lb.this'), 'pool-idle');
    assert.equal(fact.value.type === 'duration' && fact.value.ms, 60_000);
    assert.match(fact.notes?.join(' ') ?? '', /var\.idle_timeout defaults to null/);
  });

  it("the module's own resource is not reported as if it stood alone", () => {
    assert.deepEqual(
      result.sides
        .filter((s) => s.role === 'pool')
        .map((s) => s.name)
        .sort(),
      ['module.admin.aws_lb.this', 'module.web.aws_lb.this'],
    );
  });
});
