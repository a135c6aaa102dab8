import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { type Fact, findReader, type ReadSide } from '../src/index.js';
import { readCompose } from '../src/readers/compose/index.js';
import { readEcsTaskDefinition } from '../src/readers/ecs/index.js';
import { readImageConfig } from '../src/readers/image/config.js';
import { readDockerfile } from '../src/readers/image/dockerfile.js';
import { evaluateHclLiteral } from '../src/readers/terraform/ecs.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');

function keepAlive(side: ReadSide | undefined): Fact {
  assert.ok(side, 'no side');
  const fact = side.facts.find((f) => f.subject === 'server-keepalive');
  assert.ok(fact, `no keep-alive fact on ${side.label}`);
  return fact;
}

function ms(fact: Fact): number {
  assert.equal(fact.value.type, 'duration', JSON.stringify(fact.value));
  return (fact.value as { ms: number }).ms;
}

describe('image config', () => {
  it('ENV sets the value, CMD overrides it: the command line wins and the fact shows both', () => {
    const { sides } = readImageConfig({ text: fixture('image/inspect.json'), file: 'inspect.json' });
    assert.equal(sides.length, 1);
    const fact = keepAlive(sides[0]);
    assert.equal(ms(fact), 30_000);
    assert.deepEqual(fact.provenance, { kind: 'command-line', flag: '--timeout-keep-alive', text: '30' });
    const note = fact.notes?.find((n) => /overrides/.test(n)) ?? '';
    assert.match(note, /--timeout-keep-alive 30/);
    assert.match(note, /overrides UVICORN_TIMEOUT_KEEP_ALIVE=65 \(image ENV \(inspect\.json\)\)/);
    assert.equal(sides[0]!.product, 'uvicorn');
    assert.ok(sides[0]!.targets?.includes('port:8000'));
    assert.ok(sides[0]!.targets?.includes('image:api'));
  });

  it('an OCI/Docker config blob (lowercase config) and a bare Env/Cmd object are read the same way', () => {
    const blob = JSON.stringify({
      architecture: 'amd64',
      config: { Env: ['UVICORN_TIMEOUT_KEEP_ALIVE=65'], Cmd: ['uvicorn', 'a:b'] },
    });
    assert.equal(ms(keepAlive(readImageConfig({ text: blob, file: 'config.json' }).sides[0])), 65_000);
    const bare = JSON.stringify({ Cmd: ['gunicorn', '-k', 'gthread', 'a:b'] });
    assert.equal(ms(keepAlive(readImageConfig({ text: bare, file: 'c.json' }).sides[0])), 2000);
  });
});

describe('Dockerfile', () => {
  it('final stage: shell-form CMD (through sh -c and tini) beats GUNICORN_CMD_ARGS from ENV', () => {
    const { sides, diagnostics } = readDockerfile({
      text: fixture('image/Dockerfile'),
      file: 'svc/api/Dockerfile',
    });
    assert.deepEqual(diagnostics, []);
    const fact = keepAlive(sides[0]);
    assert.equal(ms(fact), 70_000);
    assert.deepEqual(fact.provenance, { kind: 'file', file: 'svc/api/Dockerfile', line: 12 });
    assert.ok(
      fact.notes?.some((n) =>
        /overrides GUNICORN_CMD_ARGS --keep-alive 20 \(Dockerfile ENV \(svc\/api\/Dockerfile:8\)\)/.test(n),
      ),
      JSON.stringify(fact.notes),
    );
    assert.ok(sides[0]!.targets?.includes('image:api'));
    assert.ok(sides[0]!.targets?.includes('dockerfile:svc/api'));
  });
});

describe('compose', () => {
  it('a service built from a Dockerfile: compose environment overrides the image ENV', () => {
    const result = readCompose({
      text: fixture('compose/docker-compose.yml'),
      file: 'compose/docker-compose.yml',
      includes: new Map([['compose/web/Dockerfile', fixture('compose/web/Dockerfile')]]),
    });
    const web = result.sides.find((s) => s.name === 'web');
    const fact = keepAlive(web);
    assert.equal(ms(fact), 75_000);
    assert.deepEqual(fact.provenance, { kind: 'file', file: 'compose/docker-compose.yml', line: 5 });
    assert.ok(web!.targets?.includes('service:web'));
    // A Node script with no variable to read: its code sets the keep-alive, so unknown (issue 11).
    const worker = keepAlive(result.sides.find((s) => s.name === 'worker'));
    assert.equal(worker.value.type, 'unset');
    // nginx runs its image's command, which compose does not show: unknown, and says why.
    const nginx = keepAlive(result.sides.find((s) => s.name === 'nginx'));
    assert.equal(nginx.value.type, 'unset');
    assert.ok(nginx.notes?.[0]?.includes('image nginx:1.25'));
  });
});

describe('ECS task definition', () => {
  it('entryPoint sh -c + command, and a Node container with the Next.js env convention', () => {
    const { sides } = readEcsTaskDefinition({ text: fixture('ecs/taskdef.json'), file: 'ecs/taskdef.json' });
    const app = keepAlive(sides.find((s) => s.name === 'orders/app'));
    assert.equal(ms(app), 75_000);
    const next = keepAlive(sides.find((s) => s.name === 'orders/next'));
    assert.equal(ms(next), 61_000);
    assert.equal(next.provenance.kind, 'file');
  });
});

describe('Kubernetes workloads', () => {
  it('a Deployment whose env comes from a ConfigMap, expanded into args with $(VAR)', () => {
    const k8s = findReader('k8s')!;
    const { sides } = k8s.readMany!([{ text: fixture('k8s-workloads/app.yaml'), file: 'k8s/app.yaml' }]);
    const api = sides.find((s) => s.name === 'Deployment/api');
    const fact = keepAlive(api);
    assert.equal(ms(fact), 75_000);
    assert.equal(api!.product, 'gunicorn');
    assert.ok(fact.notes?.some((n) => /UvicornWorker passes gunicorn's keepalive/.test(n)));
    assert.ok(api!.targets?.includes('k8s-label:default/app=api'));
    assert.ok(api!.targets?.includes('k8s-port-name:http=8000'));
    // envFrom: every key of the ConfigMap, with the ConfigMap's line as provenance.
    const search = keepAlive(sides.find((s) => s.name === 'StatefulSet/search'));
    assert.equal(ms(search), 65_000);
    assert.deepEqual(search.provenance, { kind: 'file', file: 'k8s/app.yaml', line: 7 });
  });
});

describe('Terraform ECS', () => {
  it('jsonencode container definitions (with a var default) and a heredoc JSON string', async () => {
    const text = fixture('terraform-ecs/ecs.tf');
    const parsed = await parseHcl('ecs.tf', text);
    const terraform = findReader('terraform')!;
    const { sides, diagnostics } = terraform.read({ text, file: 'infra/ecs.tf', parsed });
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const api = sides.find((s) => s.name === 'aws_ecs_task_definition.api/api');
    assert.equal(ms(keepAlive(api)), 45_000);
    assert.ok(api!.targets?.includes('tf-target-group:api'));
    assert.ok(api!.targets?.includes('tf-ecs-service:api'));
    const legacy = keepAlive(sides.find((s) => s.name === 'aws_ecs_task_definition.legacy/legacy'));
    assert.equal(ms(legacy), 20_000);
  });

  it('the HCL literal evaluator: objects, tuples, comments, references kept unresolved', () => {
    assert.deepEqual(
      evaluateHclLiteral('[{ a = 1, "b": "x" # c\n d = [true, null, var.v, local.z] }]', new Map([['v', 7]])),
      [{ a: 1, b: 'x', d: [true, null, 7, { unresolved: 'local.z' }] }],
    );
    assert.throws(() => evaluateHclLiteral('[{ a = }]'), /expected a value/);
  });
});
