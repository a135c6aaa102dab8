import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RULES } from '@keepalive-parity/core';
import { FORMATS } from '../src/render/formats/index.js';
import { parseJson, runCli } from './cli-helpers.js';
import { validateSarif } from './format-helpers/sarif-validator.js';

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO = 'test/fixtures/scan-repo';
const FIXED = 'test/fixtures/scan-repo-fixed';
const NGINX_WEB = `nginx:${REPO}/nginx/nginx.conf#web`;

async function cli(args: string[]) {
  return runCli(args, { cwd: CLI_DIR });
}

function sarifOf(stdout: string): any {
  const log = JSON.parse(stdout);
  assert.equal(log.version, '2.1.0');
  return log.runs[0];
}

function lineOf(location: any): string {
  return `${location.physicalLocation.artifactLocation.uri}:${location.physicalLocation.region?.startLine}`;
}

describe('--format sarif (SARIF 2.1.0, validated by Microsoft sarif-multitool)', () => {
  it('the validator rejects a broken log and a result without a location (so that a clean result means something)', () => {
    const problems = validateSarif(JSON.stringify({ runs: [{ tool: { driver: {} } }] }));
    assert.ok(
      problems.some((p) => p.level === 'error' && p.ruleId === 'JSON1002'),
      JSON.stringify(problems),
    );
    const unlocated = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'x', rules: [{ id: 'a' }] } },
          results: [{ ruleId: 'a', message: { text: 'm.' } }],
        },
      ],
    };
    const gh = validateSarif(JSON.stringify(unlocated));
    assert.ok(
      gh.some((p) => p.level === 'error' && p.ruleId.startsWith('GH')),
      JSON.stringify(gh),
    );
  });

  it('scan of the fixture repository: valid, one result per finding, file:line of both sides', async () => {
    const sarifRun = await cli(['scan', REPO, '--format', 'sarif']);
    assert.equal(sarifRun.code, 1, sarifRun.stderr);
    assert.deepEqual(validateSarif(sarifRun.stdout), []);
    const run = sarifOf(sarifRun.stdout);
    const json = parseJson(await cli(['scan', REPO, '--json']));
    assert.deepEqual(
      run.results.map((r: any) => r.ruleId),
      json.findings.map((f: any) => f.id),
    );
    assert.deepEqual(
      run.results.map((r: any) => r.level),
      json.findings.map((f: any) => f.severity),
    );
    // Rule metadata from the rule registry.
    assert.deepEqual(
      run.tool.driver.rules.map((r: any) => r.id),
      RULES.map((r) => r.id),
    );
    for (const rule of run.tool.driver.rules) {
      assert.match(rule.helpUri, new RegExp(`/docs/rules/${rule.id}\\.md$`));
      assert.ok(rule.shortDescription.text.length > 10);
    }
    for (const result of run.results) assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
    // The web hop: the compose service's keep-alive (server) and nginx's upstream idle (client).
    const web = run.results.find(
      (r: any) => r.ruleId === 'keepalive-below-pool-idle' && r.properties.hopName.includes('web'),
    );
    assert.equal(lineOf(web.locations[0]), `${REPO}/docker-compose.yml:12`);
    assert.equal(lineOf(web.relatedLocations[0]), `${REPO}/nginx/nginx.conf:11`);
    assert.match(web.message.text, /Fix: next start --keepAliveTimeout 35000\. Or: upstream NAME/);
    // A finding on defaults only is anchored to its hop's file (GitHub needs a location): the
    // client-side nginx limits at the upstream's line.
    const limits = run.results.filter(
      (r: any) => r.ruleId === 'other-connection-limits' && r.properties.hopName.includes('web'),
    );
    assert.deepEqual(
      limits.map((r: any) => lineOf(r.locations[0])),
      [`${REPO}/nginx/nginx.conf:11`, `${REPO}/nginx/nginx.conf:11`],
    );
    for (const result of run.results) assert.ok(result.locations?.length, result.ruleId);
    // Every config-read fact of a violation is a location or related location.
    const violations = json.findings.filter((f: any) => f.id === 'keepalive-below-pool-idle');
    const results = run.results.filter((r: any) => r.ruleId === 'keepalive-below-pool-idle');
    violations.forEach((finding: any, i: number) => {
      const expected = finding.facts
        .filter((f: any) => f.provenance.kind === 'file')
        .map((f: any) => `${REPO}/${f.provenance.file}:${f.provenance.line}`);
      const got = [...(results[i].locations ?? []), ...(results[i].relatedLocations ?? [])].map(lineOf);
      assert.deepEqual(got, expected);
    });
  });

  it('scan of the fixed repository: valid, no error result, exit 0', async () => {
    const run = await cli(['scan', FIXED, '--format', 'sarif']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(validateSarif(run.stdout), []);
    assert.equal(sarifOf(run.stdout).results.filter((r: any) => r.level === 'error').length, 0);
  });

  it('check and assert on a config file: valid, with the nginx line', async () => {
    for (const command of ['check', 'assert']) {
      const run = await cli([command, '--lb', NGINX_WEB, '--backend', '20s', '--format', 'sarif']);
      assert.equal(run.code, 1, `${command}: ${run.stderr}`);
      assert.deepEqual(validateSarif(run.stdout), [], command);
      const result = sarifOf(run.stdout).results.find((r: any) => r.ruleId === 'keepalive-below-pool-idle');
      assert.equal(lineOf(result.locations[0]), `${REPO}/nginx/nginx.conf:11`, command);
      assert.equal(result.relatedLocations, undefined, 'the backend was given on the command line');
    }
  });
});

describe('--format junit', () => {
  it('one testcase per hop; a violation is a failure', async () => {
    const run = await cli(['scan', REPO, '--format', 'junit']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
    assert.match(run.stdout, /<testsuite name="keepalive-parity scan" tests="5" failures="3" errors="0"/);
    assert.equal(run.stdout.match(/<testcase /g)?.length, 5);
    assert.equal(run.stdout.match(/<failure /g)?.length, 3);
    // Text from configuration is escaped.
    assert.match(run.stdout, /keep-alive 20 s &lt; nginx upstream web/);
    assert.doesNotMatch(run.stdout, /20 s < nginx/);
  });

  it('a hop that cannot be judged (unknown) is an error; exit 2 as for check', async () => {
    const run = await cli(['check', '--lb', 'runtime:azure-appgw', '--backend', '65s', '--format', 'junit']);
    assert.equal(run.code, 2);
    assert.match(run.stdout, /tests="1" failures="0" errors="1"/);
    assert.match(run.stdout, /<error message="[^"]+" type="value-unknown">/);
  });
});

describe('--format github (workflow commands)', () => {
  it('::error file=...,line=...:: per error finding, newlines escaped', async () => {
    const run = await cli(['scan', REPO, '--format', 'github']);
    assert.equal(run.code, 1);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error '));
    assert.deepEqual(
      errors.map((l) => /^::error (file=[^,]+,line=\d+),title=/.exec(l)?.[1]),
      [
        `file=${REPO}/docker-compose.yml,line=12`,
        `file=${REPO}/k8s/orders.yaml,line=23`,
        `file=${REPO}/infra/main.tf,line=4`,
      ],
    );
    for (const line of errors) assert.match(line, /::.*%0AFix: /);
    assert.ok(
      run.stdout.split('\n').some((l) => /^::warning file=[^,]+,line=\d+,title=value-from-default/.test(l)),
    );
  });

  it('an unknown format is a usage error naming the choices (exit 2)', async () => {
    const run = await cli(['check', '--lb', '60s', '--backend', '65s', '--format', 'xml']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--format must be one of text, json, sarif, junit, github/);
    const both = await cli(['scan', REPO, '--json', '--format', 'sarif']);
    assert.equal(both.code, 2);
  });
});

describe('the --format registry', () => {
  it('each entry loads its renderer, with the same id and summary as the renderer module', async () => {
    assert.deepEqual(
      FORMATS.map((f) => f.id),
      ['sarif', 'junit', 'github'],
    );
    for (const entry of FORMATS) {
      const renderer = await entry.load();
      assert.equal(renderer.id, entry.id);
      assert.equal(renderer.summary, entry.summary, entry.id);
    }
  });
});
