/** The probe's HTTP/1.x response parser and summary, without sockets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildRequest } from '../src/probe/engine.js';
import {
  parseKeepAliveHeader,
  ResponseParseError,
  ResponseParser,
  responseClosesConnection,
} from '../src/probe/http1.js';
import { median, summarizeSamples } from '../src/probe/summary.js';

function feed(text: string, method = 'GET', splits: number[] = []): ResponseParser {
  const parser = new ResponseParser(method);
  const bytes = Buffer.from(text, 'latin1');
  let start = 0;
  for (const at of [...splits.filter((s) => s > 0 && s < bytes.length)].sort((a, b) => a - b)) {
    parser.push(bytes.subarray(start, at));
    start = at;
  }
  parser.push(bytes.subarray(start));
  return parser;
}

const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: yes\r\n\r\n';

describe('probe HTTP/1 parser', () => {
  it('is done exactly at the end of a chunked body, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: CHUNKED.length - 1 }), { maxLength: 8 }), (splits) => {
        const parser = feed(CHUNKED, 'GET', splits);
        assert.equal(parser.done, true);
        assert.equal(parser.bodyBytes, 23);
        assert.equal(parser.leftoverBytes, 0);
        const short = feed(CHUNKED.slice(0, -1), 'GET', splits);
        assert.equal(short.done, false);
      }),
      { numRuns: 200 },
    );
  });

  it('Content-Length: not done one byte short, done at the last byte', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
    assert.equal(feed(text.slice(0, -1)).done, false);
    const parser = feed(text);
    assert.equal(parser.done, true);
    assert.equal(parser.framing, 'content-length');
    assert.equal(parser.head?.status, 200);
  });

  it('bodiless: HEAD, 204, 304; 1xx is skipped; no length means until-close', () => {
    assert.equal(feed('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', 'HEAD').done, true);
    assert.equal(feed('HTTP/1.1 204 No Content\r\n\r\n').done, true);
    assert.equal(feed('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').done, true);
    const interim = feed(
      'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    );
    assert.equal(interim.done, true);
    assert.equal(interim.interimResponses, 1);
    const untilClose = feed('HTTP/1.1 200 OK\r\n\r\nabc');
    assert.equal(untilClose.done, false);
    assert.equal(untilClose.readingUntilClose, true);
    untilClose.finishAtClose();
    assert.equal(untilClose.done, true);
  });

  it('refuses garbage and recognises HTTP/2 frames', () => {
    assert.throws(() => feed('SSH-2.0-OpenSSH\r\n'), ResponseParseError);
    assert.throws(() => feed('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n'), /Content-Length/);
    assert.throws(() => feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), /chunk size/);
    const settings = Buffer.from([0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100]);
    const parser = new ResponseParser('GET');
    assert.throws(
      () => parser.push(settings),
      (error: unknown) => error instanceof ResponseParseError && error.looksLikeHttp2,
    );
  });

  it('reads Keep-Alive and Connection headers', () => {
    assert.deepEqual(parseKeepAliveHeader('timeout=5, max=100'), { timeoutSeconds: 5, maxRequests: 100 });
    assert.deepEqual(parseKeepAliveHeader('max=3'), { timeoutSeconds: null, maxRequests: 3 });
    assert.deepEqual(parseKeepAliveHeader(null), { timeoutSeconds: null, maxRequests: null });
    assert.deepEqual(parseKeepAliveHeader('timeout=abc'), { timeoutSeconds: null, maxRequests: null });
    const head = (version: string, connection?: string) => ({
      httpVersion: version,
      status: 200,
      reason: 'OK',
      headers: connection ? { connection } : {},
    });
    assert.equal(responseClosesConnection(head('1.1')), false);
    assert.equal(responseClosesConnection(head('1.1', 'Close')), true);
    assert.equal(responseClosesConnection(head('1.0')), true);
    assert.equal(responseClosesConnection(head('1.0', 'keep-alive')), false);
  });

  it('builds requests with a default Host and refuses header injection', () => {
    const text = buildRequest({ host: '10.0.3.7', port: 8080, path: '/healthz', headers: { 'X-A': 'b' } });
    assert.match(text, /^GET \/healthz HTTP\/1\.1\r\nHost: 10\.0\.3\.7:8080\r\n/);
    assert.match(text, /\r\nX-A: b\r\n\r\n$/);
    assert.match(buildRequest({ host: 'a.example', port: 443, tls: {} }), /\r\nHost: a\.example\r\n/);
    assert.throws(
      () => buildRequest({ host: 'a', port: 80, headers: { 'X-A': 'b\r\nEvil: 1' } }),
      /invalid request header/,
    );
  });

  it('median and summary', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    const sample = (idleCloseMs: number | null, closeKind: any) => ({ idleCloseMs, closeKind }) as any;
    assert.deepEqual(
      summarizeSamples([
        sample(2000, 'fin'),
        sample(null, 'timeout'),
        sample(2010, 'rst'),
        sample(1, 'no-keepalive'),
      ]),
      {
        count: 2,
        minMs: 2000,
        medianMs: 2005,
        maxMs: 2010,
      },
    );
    assert.equal(summarizeSamples([sample(null, 'timeout')]), null);
  });
});
