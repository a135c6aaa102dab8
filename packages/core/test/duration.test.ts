import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type DurationSyntax,
  type DurationUnit,
  KeepaliveParityError,
  parseDuration,
  parseProtobufDurationValue,
} from '../src/index.js';

type Good = readonly [syntax: DurationSyntax, input: string, ms: number, defaultUnit?: DurationUnit];
type Bad = readonly [syntax: DurationSyntax, input: string, reason: RegExp, defaultUnit?: DurationUnit];

const GOOD: readonly Good[] = [
  // plain suffixes
  ['plain', '65s', 65_000],
  ['plain', '1500ms', 1_500],
  ['plain', '2m', 120_000],
  ['plain', '1h', 3_600_000],
  ['plain', '0.5s', 500],
  ['plain', ' 60s ', 60_000],
  ['plain', '65', 65_000, 's'],
  ['plain', '5000', 5_000, 'ms'],
  ['plain', '0s', 0],
  // nginx time: bare = seconds, compound, ordered
  ['nginx', '75', 75_000],
  ['nginx', '75s', 75_000],
  ['nginx', '1h30m', 5_400_000],
  ['nginx', '1h 30m', 5_400_000],
  ['nginx', '500ms', 500],
  ['nginx', '1d', 86_400_000],
  ['nginx', '1w', 604_800_000],
  ['nginx', '1M', 2_592_000_000],
  ['nginx', '1y', 31_536_000_000],
  ['nginx', '1m30s500ms', 90_500],
  // HAProxy: bare = milliseconds
  ['haproxy', '500', 500],
  ['haproxy', '2s', 2_000],
  ['haproxy', '1500us', 2],
  ['haproxy', '1000us', 1],
  ['haproxy', '1m', 60_000],
  ['haproxy', '1h', 3_600_000],
  ['haproxy', '1d', 86_400_000],
  // protobuf string form
  ['protobuf', '3600s', 3_600_000],
  ['protobuf', '0.5s', 500],
  ['protobuf', '0.000000001s', 1],
  ['protobuf', '1.25s', 1_250],
  // Go durations
  ['go', '1m30s', 90_000],
  ['go', '500ms', 500],
  ['go', '1.5h', 5_400_000],
  ['go', '0', 0],
  ['go', '90s', 90_000],
  ['go', '1h2m3s4ms', 3_723_004],
  ['go', '250us', 1],
  ['go', '90', 90_000, 's'], // Traefik's paerser: bare integer = seconds
  // Caddy: Go plus days
  ['caddy', '2m', 120_000],
  ['caddy', '1d12h', 129_600_000],
  // ISO-8601
  ['iso8601', 'PT60S', 60_000],
  ['iso8601', 'PT1M30S', 90_000],
  ['iso8601', 'P1DT2H', 93_600_000],
  ['iso8601', 'PT0.5S', 500],
  ['iso8601', 'P1W', 604_800_000],
  // integer seconds / milliseconds
  ['integer-seconds', '60', 60_000],
  ['integer-seconds', '0', 0],
  ['integer-milliseconds', '5000', 5_000],
  // Apache
  ['apache', '5', 5_000],
  ['apache', '500ms', 500],
  // .NET TimeSpan
  ['timespan', '00:02:10', 130_000],
  ['timespan', '1.00:00:00', 86_400_000],
  ['timespan', '00:00:05.5', 5_500],
];

const BAD: readonly Bad[] = [
  ['plain', '', /empty/],
  ['plain', '   ', /empty/],
  ['plain', '-5s', /negative/],
  ['plain', 'NaN', /not a number/],
  ['plain', 'Infinity', /not a number/],
  ['plain', 'abc', /not a number/],
  ['plain', '65', /bare number has no unit/],
  ['plain', '65sx', /unknown unit "sx"/],
  ['plain', '65s extra', /unexpected text/],
  ['plain', '1m30s', /unexpected text "30s"/],
  ['plain', '10weeks', /unknown unit/],
  ['plain', '99999999999999999999999999s', /overflow/],
  ['plain', `${Number.MAX_SAFE_INTEGER}0ms`, /overflow/],
  ['nginx', '30m1h', /largest to smallest/],
  ['nginx', '1s1s', /largest to smallest/],
  ['nginx', '1.5s', /fractions/],
  ['nginx', '10x', /unknown unit "x"/],
  ['nginx', '-1', /negative/],
  ['haproxy', '2 s', /unexpected text/],
  ['haproxy', '1.5s', /fractions/],
  ['haproxy', '2w', /unknown unit/],
  ['protobuf', '3600', /needs the "s" suffix/],
  ['protobuf', '1m', /protobuf Duration/],
  ['protobuf', '-1s', /negative/],
  ['protobuf', '0.0000000001s', /protobuf Duration/],
  ['go', '90', /bare number has no unit/],
  ['go', '1d', /unknown unit "d"/],
  ['go', '1m30', /without a unit/],
  ['go', '-1s', /negative/],
  ['iso8601', 'P1Y', /years and months/],
  ['iso8601', 'PT', /ISO-8601/],
  ['iso8601', 'P', /ISO-8601/],
  ['iso8601', '60S', /ISO-8601/],
  ['integer-seconds', '60s', /unexpected text|unknown unit/],
  ['integer-seconds', '6.5', /fractions/],
  ['integer-milliseconds', '', /empty/],
  ['integer-milliseconds', '5e3', /unknown unit|unexpected/],
  ['apache', '5s', /unknown unit|unexpected/],
  ['timespan', '00:61:00', /below 60/],
  ['timespan', '2 minutes', /TimeSpan/],
];

describe('parseDuration accepts every syntax the readers meet', () => {
  for (const [syntax, input, ms, defaultUnit] of GOOD) {
    it(`${syntax} ${JSON.stringify(input)}${defaultUnit ? ` (bare = ${defaultUnit})` : ''} → ${ms} ms`, () => {
      const duration = parseDuration(input, { syntax, defaultUnit });
      assert.equal(duration.ms, ms);
      assert.equal(duration.text, input, 'keeps its original spelling');
      assert.ok(Number.isInteger(duration.ms));
    });
  }
});

describe('parseDuration rejects bad input with a message that names it', () => {
  for (const [syntax, input, reason, defaultUnit] of BAD) {
    it(`${syntax} ${JSON.stringify(input)} → ${reason}`, () => {
      assert.throws(
        () => parseDuration(input, { syntax, defaultUnit, location: { field: '--backend' } }),
        (error: unknown) => {
          assert.ok(error instanceof KeepaliveParityError);
          assert.equal(error.code, 'KAP_DURATION_INVALID');
          assert.match(error.message, reason);
          assert.ok(
            error.message.includes(JSON.stringify(input)),
            `message names the input: ${error.message}`,
          );
          assert.ok(error.message.includes('--backend'), 'message names the field');
          return true;
        },
      );
    });
  }
});

describe('protobuf Duration values from YAML/JSON', () => {
  it('reads the object form {seconds, nanos}', () => {
    assert.equal(parseProtobufDurationValue({ seconds: 3, nanos: 500_000_000 }).ms, 3_500);
    assert.equal(parseProtobufDurationValue({ seconds: '60' }).ms, 60_000);
    assert.equal(parseProtobufDurationValue({ nanos: 1 }).ms, 1);
    assert.equal(parseProtobufDurationValue('3600s').ms, 3_600_000);
  });
  it('rejects negative, fractional, unknown fields and non-objects', () => {
    assert.throws(() => parseProtobufDurationValue({ seconds: -1 }), /negative/);
    assert.throws(() => parseProtobufDurationValue({ seconds: 1.5 }), /integer/);
    assert.throws(() => parseProtobufDurationValue({ seconds: 1, minutes: 2 }), /unexpected field "minutes"/);
    assert.throws(() => parseProtobufDurationValue({ nanos: 1_000_000_000 }), /below 1000000000/);
    assert.throws(() => parseProtobufDurationValue(42), /protobuf Duration/);
    assert.throws(() => parseProtobufDurationValue(null), /protobuf Duration/);
  });
});
