import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseMetrics, type MetricsInput } from '@keepalive-parity/core';
import { diagnoseCommand } from '../src/commands/diagnose.js';
import { verifyCommand } from '../src/commands/verify.js';
import { renderMetricsHtml } from '../src/metrics/html.js';
import { isMetricsInput, metricsWindow, parseMetricsInput } from '../src/metrics/inputs.js';
import { perPeriod, withSelector } from '../src/metrics/prom.js';
import { runCli } from './cli-helpers.js';

/** Metrics inputs, selectors, counter differencing, help and usage errors (no servers). */

describe('metrics inputs', () => {
  it('parses prom: with and without a selector, cloudwatch: by name and ARN', () => {
    assert.deepEqual(parseMetricsInput('prom:http://prometheus:9090/'), {
      kind: 'prom',
      name: 'prom:http://prometheus:9090/',
      url: 'http://prometheus:9090',
      selector: '',
    });
    assert.equal(
      parseMetricsInput('prom:http://p:9090#{job="haproxy",instance=~"lb-.*"}').selector,
      '{job="haproxy",instance=~"lb-.*"}',
    );
    assert.deepEqual(
      parseMetricsInput('cloudwatch:alb:arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/1'),
      {
        kind: 'cloudwatch',
        name: 'cloudwatch:alb:arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/1',
        service: 'alb',
        locator: 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/1',
      },
    );
    assert.equal(isMetricsInput('access.log'), false);
  });

  it('rejects what cannot be spliced into a query or read', () => {
    assert.throws(() => parseMetricsInput('prom:http://p:9090#{job="x"} or vector(1)'), /label selector/);
    assert.throws(() => parseMetricsInput('prom:ftp://p'), /http\(s\) URL/);
    assert.throws(() => parseMetricsInput('cloudwatch:nlb:x'), /cloudwatch:alb:NAME/);
    assert.throws(() => metricsWindow(2000, 1000, 5000), /--since must be before --until/);
    assert.deepEqual(metricsWindow(undefined, undefined, 100_000_000), {
      sinceMs: 100_000_000 - 86_400_000,
      untilMs: 100_000_000,
      periodMs: undefined,
    });
  });

  it('merges the selector into each query', () => {
    assert.equal(withSelector('m{SEL}', '{job="a"}'), 'm{job="a"}');
    assert.equal(withSelector('m{SEL}', ''), 'm');
    assert.equal(withSelector('m{SEL,code="5xx"}', '{job="a"}'), 'm{job="a",code="5xx"}');
    assert.equal(withSelector('m{SEL,code="5xx"}', ''), 'm{code="5xx"}');
  });

  it('differences counters per period, a drop being a reset; gauges by the value at the period end', () => {
    const starts = [0, 1000, 2000];
    const counter = perPeriod(
      [
        {
          metric: {},
          values: [
            [0, '5'],
            [1, '7'],
            [2, '3'],
            [3, '4'],
          ],
        },
        {
          metric: {},
          values: [
            [1, '10'],
            [2, '12'],
          ],
        },
      ],
      'counter',
      starts,
      1000,
    );
    assert.deepEqual(counter, [2, 3 + 2, 1]);
    assert.deepEqual(
      perPeriod(
        [
          {
            metric: {},
            values: [
              [1, '2'],
              [2, '1'],
            ],
          },
        ],
        'gauge',
        starts,
        1000,
      ),
      [2, 1, 0],
    );
  });
});

describe('help and usage', () => {
  it('diagnose --help and verify --help show an example for each new source', () => {
    for (const example of [
      "diagnose 'prom:http://",
      'diagnose cloudwatch:alb:',
      'diagnose cloudwatch:elb:',
    ]) {
      assert.ok(diagnoseCommand.help.includes(example), example);
    }
    for (const example of ["'prom:http://", 'cloudwatch:alb:', 'cloudwatch:elb:', 'access.log']) {
      assert.ok(verifyCommand.help.includes(example), example);
    }
  });

  it('verify without a window, or with both forms, is a usage error (exit 2)', async () => {
    const none = await runCli(['verify', 'prom:http://127.0.0.1:9']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give --change-at TIME, or --before FROM\/TO and --after FROM\/TO/);
    const both = await runCli(['verify', '--change-at', '2026-01-01T00:00:00Z', '--before', 'a/b', 'x']);
    assert.equal(both.code, 2);
    const unreachable = await runCli([
      'diagnose',
      'prom:http://127.0.0.1:9',
      '--since',
      '2026-01-01T00:00:00Z',
      '--until',
      '2026-01-01T01:00:00Z',
    ]);
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, /cannot reach Prometheus at http:\/\/127\.0\.0\.1:9/);
  });
});

describe('metrics HTML', () => {
  it('escapes every name and source; the chart data cannot close its script element', () => {
    const hostile = 'prom:http://x#{job="</script><script>alert(1)</script>"}';
    const input: MetricsInput = {
      name: hostile,
      platform: 'haproxy',
      resource: hostile,
      periodMs: 60_000,
      fromMs: 0,
      untilMs: 120_000,
      series: [{ kind: 'requests', source: '<b>q</b>', points: [{ tMs: 0, value: 3 }] }],
      missing: [{ kind: 'target5xx', source: '<i>m</i>', reason: '<u>r</u>' }],
      notes: [],
    };
    const page = renderMetricsHtml(diagnoseMetrics([input]), [input], '2026-12-06T00:00:00Z');
    assert.doesNotMatch(page, /<script>alert/);
    assert.doesNotMatch(page, /<b>q<\/b>|<i>m<\/i>|<u>r<\/u>/);
    assert.match(page, /&lt;\/script&gt;&lt;script&gt;alert\(1\)/);
    assert.match(page, /id="kap-metrics"/);
  });
});
