/**
 * A minimal incremental HTTP/1.x response parser. It exists so the probe knows the exact instant
 * the last byte of a response arrived: Content-Length, chunked (with trailers), bodiless responses
 * (HEAD, 1xx, 204, 304) and close-delimited bodies.
 */

const HEAD_LIMIT_BYTES = 64 * 1024;
const LINE_LIMIT_BYTES = 8 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

export interface ResponseHead {
  /** `1.1` or `1.0`. */
  readonly httpVersion: string;
  readonly status: number;
  readonly reason: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
}

export type BodyFraming = 'none' | 'content-length' | 'chunked' | 'until-close';

/** Thrown when the bytes are not an HTTP/1.x response. `looksLikeHttp2` marks an HTTP/2 frame. */
export class ResponseParseError extends Error {
  readonly looksLikeHttp2: boolean;
  constructor(message: string, looksLikeHttp2 = false) {
    super(message);
    this.name = 'ResponseParseError';
    this.looksLikeHttp2 = looksLikeHttp2;
  }
}

type State =
  | 'head'
  | 'body-length'
  | 'chunk-size'
  | 'chunk-data'
  | 'chunk-data-crlf'
  | 'trailers'
  | 'until-close'
  | 'done';

export class ResponseParser {
  private pending: Buffer = Buffer.alloc(0);
  private state: State = 'head';
  private remainingBytes = 0;
  head: ResponseHead | null = null;
  framing: BodyFraming | null = null;
  bodyBytes = 0;
  /** Interim 1xx responses skipped before the final one. */
  interimResponses = 0;

  constructor(private readonly requestMethod: string) {}

  get done(): boolean {
    return this.state === 'done';
  }

  /** True when the body runs until the server closes (no length, not chunked). */
  get readingUntilClose(): boolean {
    return this.state === 'until-close';
  }

  /** Bytes received after the end of the response (a misbehaving server). */
  get leftoverBytes(): number {
    return this.state === 'done' ? this.pending.length : 0;
  }

  /** Marks a close-delimited body complete at the server's close. */
  finishAtClose(): void {
    if (this.state === 'until-close') this.state = 'done';
  }

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    // Each pass consumes bytes or returns, so the loop ends; the bound is a second guard.
    for (let pass = 0; pass < 1_000_000; pass++) {
      switch (this.state) {
        case 'head':
          if (!this.parseHead()) return;
          break;
        case 'body-length':
        case 'chunk-data': {
          const take = Math.min(this.remainingBytes, this.pending.length);
          this.remainingBytes -= take;
          this.bodyBytes += take;
          this.pending = this.pending.subarray(take);
          if (this.remainingBytes > 0) return;
          this.state = this.state === 'body-length' ? 'done' : 'chunk-data-crlf';
          break;
        }
        case 'chunk-data-crlf':
          if (this.pending.length < 2) return;
          if (this.pending[0] !== 0x0d || this.pending[1] !== 0x0a) {
            throw new ResponseParseError('chunk data not followed by CRLF');
          }
          this.pending = this.pending.subarray(2);
          this.state = 'chunk-size';
          break;
        case 'chunk-size': {
          const line = this.takeLine();
          if (line === null) return;
          const sizeText = (line.split(';')[0] ?? '').trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) {
            throw new ResponseParseError(`invalid chunk size ${JSON.stringify(sizeText.slice(0, 40))}`);
          }
          const size = Number.parseInt(sizeText, 16);
          if (size === 0) this.state = 'trailers';
          else {
            this.remainingBytes = size;
            this.state = 'chunk-data';
          }
          break;
        }
        case 'trailers': {
          const line = this.takeLine();
          if (line === null) return;
          if (line === '') this.state = 'done';
          break;
        }
        case 'until-close':
          this.bodyBytes += this.pending.length;
          this.pending = Buffer.alloc(0);
          return;
        case 'done':
          return;
      }
    }
  }

  private takeLine(): string | null {
    const index = this.pending.indexOf(CRLF);
    if (index === -1) {
      if (this.pending.length > LINE_LIMIT_BYTES) throw new ResponseParseError('line too long');
      return null;
    }
    const line = this.pending.subarray(0, index).toString('latin1');
    this.pending = this.pending.subarray(index + 2);
    return line;
  }

  private parseHead(): boolean {
    if (this.pending.length >= 5 && this.pending.subarray(0, 5).toString('latin1') !== 'HTTP/') {
      // An HTTP/2 server answering HTTP/1.1 text sends a SETTINGS (type 4) or GOAWAY (type 7) frame.
      const type = this.pending[3];
      const looksLikeHttp2 = this.pending.length >= 9 && (type === 0x04 || type === 0x07);
      throw new ResponseParseError(
        looksLikeHttp2 ? 'the server answered with HTTP/2 frames' : 'the server did not answer with HTTP/1.x',
        looksLikeHttp2,
      );
    }
    const end = this.pending.indexOf(HEAD_END);
    if (end === -1) {
      if (this.pending.length > HEAD_LIMIT_BYTES) throw new ResponseParseError('response head too long');
      return false;
    }
    const lines = this.pending.subarray(0, end).toString('latin1').split('\r\n');
    this.pending = this.pending.subarray(end + 4);
    const statusLine = lines[0] ?? '';
    const match = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!match)
      throw new ResponseParseError(`invalid status line ${JSON.stringify(statusLine.slice(0, 80))}`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0)
        throw new ResponseParseError(`invalid header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const status = Number(match[2]);
    const head: ResponseHead = {
      httpVersion: match[1] as string,
      status,
      reason: match[3] ?? '',
      headers,
    };
    if (status >= 100 && status < 200 && status !== 101) {
      this.interimResponses++;
      return true; // stay in 'head' for the final response
    }
    this.head = head;
    if (this.requestMethod === 'HEAD' || status === 204 || status === 304 || status === 101) {
      this.framing = 'none';
      this.state = 'done';
    } else if (/(^|,)\s*chunked\s*$/i.test(headers['transfer-encoding'] ?? '')) {
      this.framing = 'chunked';
      this.state = 'chunk-size';
    } else if (headers['content-length'] !== undefined) {
      const text = (headers['content-length'].split(',')[0] ?? '').trim();
      if (!/^\d{1,15}$/.test(text))
        throw new ResponseParseError(`invalid Content-Length ${JSON.stringify(text)}`);
      this.framing = 'content-length';
      this.remainingBytes = Number(text);
      this.state = this.remainingBytes === 0 ? 'done' : 'body-length';
    } else {
      this.framing = 'until-close';
      this.state = 'until-close';
    }
    return true;
  }
}

/** Parses `Keep-Alive: timeout=5, max=100` (RFC 2068 §19.7.1.1). Unknown parameters are ignored. */
export function parseKeepAliveHeader(value: string | null | undefined): {
  timeoutSeconds: number | null;
  maxRequests: number | null;
} {
  let timeoutSeconds: number | null = null;
  let maxRequests: number | null = null;
  for (const part of (value ?? '').split(',')) {
    const [rawName, rawValue] = part.split('=', 2);
    const name = (rawName ?? '').trim().toLowerCase();
    const number = Number((rawValue ?? '').trim().replace(/^"|"$/g, ''));
    if (rawValue === undefined || !Number.isFinite(number) || number < 0) continue;
    if (name === 'timeout') timeoutSeconds = number;
    else if (name === 'max') maxRequests = Math.floor(number);
  }
  return { timeoutSeconds, maxRequests };
}

/** True when the response says the server will close after it (`Connection: close`, HTTP/1.0 default). */
export function responseClosesConnection(head: ResponseHead): boolean {
  const tokens = (head.headers.connection ?? '')
    .toLowerCase()
    .split(',')
    .map((token) => token.trim());
  if (tokens.includes('close')) return true;
  if (head.httpVersion === '1.0') return !tokens.includes('keep-alive');
  return false;
}
