/**
 * The emulator's HTTP/1.1 front door for the plain requests AWS clients send SQS and SNS (issue 18): a POST
 * with a Content-Length body, read whole, answered with one write. node:http's request and response objects
 * (IncomingMessage, ServerResponse, their streams and events) cost ~20-25 µs of the server's CPU per request
 * on this project's 2-core machine (a do-nothing node:http server answering the SDK's SendMessageBatch:
 * 67-87 µs per request; the same answer written by a parser of this shape: 42-48 µs), a tenth of what svl
 * spends on a batch of 10 messages.
 *
 * It sits in node:http's server: `install` takes the server's own 'connection' listener off and puts its
 * own on. Each connection starts here; the first request it does not take in full (`takes` says no: S3,
 * Lambda, API Gateway, `/_svl/`, another method; or anything unusual in its head: HTTP/1.0, a chunked or
 * `Expect: 100-continue` body, an upgrade, `Connection: close`, a repeated, malformed or over-long header, a
 * head over 16 KB) hands the connection, with every byte read and not yet answered, to node:http's listener,
 * which serves it from then on exactly as it serves a connection from its start (its parser, limits, 400s and
 * 431s, keep-alive and timeouts, `closeIdleConnections`). The server still listens, closes and counts its
 * connections as before.
 *
 * What it does as node:http does: answers in request order (it serves pipelined requests one after the other,
 * where node:http starts them at once and orders their answers); header names lower case, values trimmed
 * (Latin-1); the answer's head as node:http writes it (status line, the caller's headers, `Date`,
 * `Connection: keep-alive` and `Keep-Alive: timeout=<keepAliveTimeout in s>`, or `Connection: close` once the
 * server is stopping, and then the connection closed); header names and values checked as node:http checks
 * them (a CR or LF throws, nothing is written); an idle connection closed after the server's keep-alive
 * timeout (counted once its last answer is flushed), a head not complete within the headers timeout answered
 * 408 and closed (a body may take its time: node:http's requestTimeout is 0 here); the client going away (or
 * half-closing) tells the request (`onAbort`). Its timers and Date are the host's real ones (timers.ts): a
 * test process's fake timers neither stop nor fire them.
 *
 * It deliberately does not: stream bodies (the limit is the caller's, checked before a byte of the body is
 * kept), parse anything node:http's parser would refuse (it hands over instead, and node:http answers the
 * 400), nor know what the requests mean (`takes` and `serve` are the server's).
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { realClearInterval, realNow, realSetInterval, realUtcString } from './timers.js';

/** A request's head, as the front read it: `url` is the request target as sent (path and query). */
export interface FrontHead {
  method: string;
  url: string;
  /** Lower-case names; each appears once (a repeated header hands the connection over). */
  headers: Record<string, string>;
  contentLength: number;
  /** Whatever `takes` leaves here for `serve` (the server's request object). */
  tag?: unknown;
}

/** One request being answered. */
export interface FrontExchange {
  /**
   * Writes the answer: the status line, `headers`, Content-Length, Date and Connection, then `body`. Once;
   * later calls do nothing. Throws (writing nothing) for a header value node:http would refuse.
   */
  respond(status: number, headers: Record<string, string>, body: string | Buffer): void;
  /** The client went away (or half-closed) before the answer was written. */
  readonly aborted: boolean;
  /** `fn` runs once, when the client goes away before the answer is written (at once if it already has). */
  onAbort(fn: () => void): void;
}

export interface FrontOptions {
  /** Whether the front answers this request (false: the connection goes to node:http, this request first). */
  takes(head: FrontHead): boolean;
  /** Answers a taken request: must call `exchange.respond` once, sooner or later (the connection waits for it). */
  serve(head: FrontHead, body: string, exchange: FrontExchange): void;
  /** Whether answers close their connection (`Connection: close`): the emulator is stopping. */
  closing(): boolean;
}

export interface Front {
  /** Closes the front's connections that wait for a request, as node:http's `closeIdleConnections` does its own. */
  closeIdle(): void;
  /** Connections the front serves now, and those it handed to node:http so far (tests, diagnostics). */
  stats(): { open: number; handedOver: number };
}

/** node:http's maxHeaderSize (its keep-alive and headers timeouts are read from the server). */
const MAX_HEAD_BYTES = 16 * 1024;
/** Bytes read ahead of the request being answered, or answers the client has not read, before reading stops. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const SWEEP_MS = 1000;
const HEAD_END = Buffer.from('\r\n\r\n');

/** Takes over `server`'s connections (see the header comment). Call before it listens. */
export function installFront(server: Server, opts: FrontOptions): Front {
  const [nodeListener, ...others] = server.listeners('connection') as Array<(socket: Socket) => void>;
  if (!nodeListener || others.length > 0) throw new Error('installFront: expected node:http\'s one connection listener');
  server.removeListener('connection', nodeListener);
  const connections = new Set<Connection>();
  let handedOver = 0;
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = realNow();
    for (const c of connections) c.sweep(now, server.keepAliveTimeout, server.headersTimeout);
    if (connections.size === 0 && sweeper) {
      realClearInterval(sweeper);
      sweeper = undefined;
    }
  };
  const env: ConnectionEnv = {
    opts,
    keepAliveHeader: () => `Keep-Alive: timeout=${Math.floor(server.keepAliveTimeout / 1000)}\r\n`,
    handOver(c: Connection, socket: Socket) {
      connections.delete(c);
      handedOver++;
      nodeListener.call(server, socket);
    },
    gone(c: Connection) {
      connections.delete(c);
    },
  };
  server.on('connection', (socket: Socket) => {
    connections.add(new Connection(socket, env));
    sweeper ??= realSetInterval(sweep, SWEEP_MS).unref();
  });
  return {
    closeIdle() {
      for (const c of connections) c.closeIfIdle();
    },
    stats: () => ({ open: connections.size, handedOver }),
  };
}

interface ConnectionEnv {
  opts: FrontOptions;
  /** node:http's Keep-Alive header line, from the server's keepAliveTimeout. */
  keepAliveHeader(): string;
  handOver(c: Connection, socket: Socket): void;
  gone(c: Connection): void;
}

class Connection {
  /** Bytes read and not yet taken by a request, in arrival order. */
  private chunks: Buffer[] = [];
  private length = 0;
  /** The head of the request whose body is still arriving. */
  private head: FrontHead | undefined;
  private bodyStart = 0;
  /** The request being answered. */
  private current: Exchange | undefined;
  private closed = false;
  /** The client half-closed: no more requests will come. */
  private ended = false;
  /** Inside `next` (an answer given synchronously must not re-enter it). */
  private reading = false;
  /** How much of the unread bytes was searched for the end of a head. */
  private searched = 0;
  /** When the connection became idle (its last answer written), or the first bytes of the next head came. */
  private since = realNow();
  private readonly onData = (chunk: Buffer) => {
    if (this.closed) return; // answered with Connection: close (or 408): what comes after is not read
    if (this.length === 0 && !this.head && !this.current) this.since = realNow(); // a new head begins
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (!this.current) this.next();
    // Pipelined bytes while a request is answered (a long poll can take 20 s): read no further than this.
    else if (this.length > MAX_BUFFERED_BYTES) this.socket.pause();
  };
  /** The client half-closed: as node:http does, the request being answered is aborted and the connection ended. */
  private readonly onEnd = () => {
    this.ended = true;
    this.closed = true;
    this.current?.abort();
    this.socket.end();
  };
  private readonly onClose = () => {
    this.closed = true;
    this.current?.abort();
    this.env.gone(this);
  };
  private readonly onError = () => {
    // 'close' follows; a reset connection is the client's business.
  };

  constructor(
    private readonly socket: Socket,
    private readonly env: ConnectionEnv,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  /** All the unread bytes as one Buffer (joined only when there are several). */
  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0] ?? EMPTY;
  }

  private next(): void {
    if (this.reading) return;
    this.reading = true;
    try {
      while (!this.current && !this.closed && !this.ended) {
        if (!this.head) {
          if (this.length === 0) return;
          const buf = this.joined();
          // From where the last look stopped (less the 3 bytes an end split across reads may have begun with).
          const end = buf.indexOf(HEAD_END, Math.max(0, this.searched - 3));
          if (end < 0) {
            this.searched = buf.length;
            // A line ended by a bare LF: node:http's to judge (it answers 400 at once rather than the 408 later).
            if (buf.length > MAX_HEAD_BYTES || bareLf(buf)) return this.handOver();
            return;
          }
          this.searched = 0;
          const head = end <= MAX_HEAD_BYTES ? parseHead(buf.toString('latin1', 0, end)) : undefined;
          if (!head || !this.takes(head)) return this.handOver();
          this.head = head;
          this.bodyStart = end + 4;
        }
        const need = this.bodyStart + this.head.contentLength;
        if (this.length < need) return;
        const buf = this.joined();
        const body = buf.toString('utf8', this.bodyStart, need);
        if (buf.length > need) {
          this.chunks = [buf.subarray(need)];
          this.length = buf.length - need;
        } else {
          this.chunks = [];
          this.length = 0;
        }
        const head = this.head;
        this.head = undefined;
        const exchange = (this.current = new Exchange(this));
        this.env.opts.serve(head, body, exchange);
      }
    } finally {
      this.reading = false;
    }
  }

  /** The server's `takes`; one that throws hands the connection over (node:http then serves the request). */
  private takes(head: FrontHead): boolean {
    try {
      return this.env.opts.takes(head);
    } catch {
      return false;
    }
  }

  /** Gives the connection, and every byte read and not yet answered, to node:http. */
  private handOver(): void {
    const s = this.socket;
    s.pause();
    s.removeListener('data', this.onData);
    s.removeListener('end', this.onEnd);
    s.removeListener('close', this.onClose);
    s.removeListener('error', this.onError);
    if (this.length > 0) s.unshift(this.joined());
    this.chunks = [];
    this.length = 0;
    this.closed = true;
    this.env.handOver(this, s);
    // node:http adds its listeners to a paused socket without resuming it (it reads through its parser once
    // resumed); resumed, the bytes put back come first.
    s.resume();
  }

  /** Writes `exchange`'s answer; then reads the next request, or closes the connection. */
  write(exchange: Exchange, status: number, headers: Record<string, string>, body: string | Buffer): void {
    if (exchange !== this.current) return;
    const close = this.env.opts.closing() || this.ended;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
    let ascii = true;
    for (const name in headers) {
      const value = headers[name];
      if (!checkedNames.has(name)) {
        if (!TOKEN.test(name)) throw invalidHeaderName(name);
        if (checkedNames.size < 1000) checkedNames.add(name);
      }
      if (typeof value !== 'string') throw invalidHeader(name);
      if (!PLAIN.test(value)) {
        if (INVALID_VALUE.test(value)) throw invalidHeader(name);
        ascii = false;
      }
      head += `${name}: ${value}\r\n`;
    }
    const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
    head += `content-length: ${length}\r\nDate: ${utcDate()}\r\n${close ? 'Connection: close\r\n\r\n' : `Connection: keep-alive\r\n${this.env.keepAliveHeader()}\r\n`}`;
    this.current = undefined;
    const s = this.socket;
    if (!this.closed && !s.destroyed) {
      if (typeof body === 'string' && ascii) s.write(head + body, 'utf8');
      else {
        s.cork();
        s.write(head, 'latin1');
        if (length > 0) s.write(body);
        s.uncork();
      }
      if (close) {
        // Closed for good once the answer is flushed, as node:http does (its sockets are allowHalfOpen: end()
        // alone would leave the connection open until the client closed its side).
        this.closed = true;
        s.destroySoon();
        return;
      }
    }
    if (this.closed) return;
    this.since = realNow();
    // A client that does not read its answers (pipelining on) is read no further until it has.
    if (s.writableLength > MAX_BUFFERED_BYTES) {
      s.pause();
      s.once('drain', () => this.resume());
      return;
    }
    this.resume();
  }

  /** Reads on: the requests already read, then the socket. */
  private resume(): void {
    if (this.closed || this.socket.destroyed) return;
    if (this.socket.isPaused()) this.socket.resume();
    this.next();
  }

  /** Sweeper: closes an idle connection after the keep-alive timeout, a stalled request after the headers timeout (408). */
  sweep(now: number, keepAliveMs: number, headersMs: number): void {
    // An answer still being written (a slow reader of a large one) keeps the connection busy.
    if (this.current || this.closed || this.socket.writableLength > 0) return;
    const waited = now - this.since;
    if (this.length === 0 && !this.head) {
      if (keepAliveMs > 0 && waited >= keepAliveMs) this.socket.destroy();
    } else if (!this.head && headersMs > 0 && waited >= headersMs) {
      this.closed = true;
      this.socket.write('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
      this.socket.destroySoon();
    }
  }

  closeIfIdle(): void {
    if (!this.current && !this.closed && this.length === 0 && !this.head && this.socket.writableLength === 0) this.socket.destroy();
  }
}

class Exchange implements FrontExchange {
  aborted = false;
  private answered = false;
  private onAborts: Array<() => void> | undefined;

  constructor(private readonly conn: Connection) {}

  respond(status: number, headers: Record<string, string>, body: string | Buffer): void {
    if (this.answered) return;
    this.conn.write(this, status, headers, body);
    this.answered = true;
  }

  onAbort(fn: () => void): void {
    if (this.aborted) fn();
    else if (!this.answered) (this.onAborts ??= []).push(fn);
  }

  /** The connection closed (or the client half-closed) before the answer. */
  abort(): void {
    if (this.answered || this.aborted) return;
    this.aborted = true;
    const fns = this.onAborts;
    this.onAborts = undefined;
    if (fns) for (const fn of fns) fn();
  }
}

const EMPTY = Buffer.alloc(0);
/** RFC 9110 token characters (a method, a header name), as a character class's contents. */
const TCHAR = "!#$%&'*+\\-.^_`|~0-9A-Za-z";
/** What a header value may hold, in a request (llhttp's strict mode) as in an answer (node:http's checkInvalidHeaderChar). */
const FIELD_VCHAR = '\\t\\x20-\\x7e\\x80-\\xff';
const TOKEN = new RegExp(`^[${TCHAR}]+$`);
/** Header values written as they are: printable ASCII and tab. */
const PLAIN = /^[\t\x20-\x7e]*$/;
const INVALID_VALUE = new RegExp(`[^${FIELD_VCHAR}]`);
/** Header names written: checked once each (they are the emulator's constants). */
const checkedNames = new Set<string>();
function invalidHeaderName(name: string): Error {
  return Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), { code: 'ERR_INVALID_HTTP_TOKEN' });
}
/** Whether `buf` holds an LF not preceded by CR. */
function bareLf(buf: Buffer): boolean {
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) if (i === 0 || buf[i - 1] !== 13) return true;
  return false;
}
function invalidHeader(name: string): Error {
  return Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: 'ERR_INVALID_CHAR' });
}

/** A request line the front takes: token SP target SP HTTP/1.1 (no white space or control characters in the target). */
const REQUEST_LINE = new RegExp(`^([${TCHAR}]+) ([\\x21-\\x7e\\x80-\\xff]+) HTTP/1\\.1$`);
/**
 * Header fields as llhttp's strict mode takes them: token, colon, then tab or printable characters (Latin-1
 * from 0x80), each line ended by CRLF (the last one's CRLF is the blank line's, not in the text). One test of
 * the whole block: a regular expression per field cost ~5 µs a head of the SDK's 12 fields.
 */
const FIELDS = new RegExp(`^(?:[${TCHAR}]+:[${FIELD_VCHAR}]*(?:\\r\\n|$))*$`);
/** Headers whose presence hands the connection over (bodies and connection handling node:http's way). */
const HANDED = new Set(['transfer-encoding', 'expect', 'upgrade']);

/**
 * The lower-case names AWS SDKs and CLIs send, by length. A field whose name is one of them, as sent, is keyed
 * by this constant string: a name sliced from the text and lower-cased is a new string each request, which
 * V8 must hash and look up in its string table to use as a key (perf: ~60% of the front's head parsing in
 * the server), and the headers object then has the same shape at every request from the same client.
 */
const KNOWN_BY_LENGTH: string[][] = [];
for (const name of [
  'host', 'accept', 'connection', 'user-agent', 'x-amz-date', 'content-type', 'x-amz-target', 'authorization',
  'content-length', 'accept-encoding', 'amz-sdk-request', 'x-amzn-trace-id', 'x-amz-user-agent', 'x-amzn-query-mode',
  'x-amz-content-sha256', 'x-amz-security-token', 'amz-sdk-invocation-id',
]) (KNOWN_BY_LENGTH[name.length] ??= []).push(name);

/** The constant for the field name at text[start, end), when it is a known one written in lower case. */
function knownName(text: string, start: number, end: number): string | undefined {
  const names = KNOWN_BY_LENGTH[end - start];
  if (names !== undefined) for (const name of names) if (text.startsWith(name, start)) return name;
  return undefined;
}

/**
 * The request line and header fields (Latin-1, without the blank line), or undefined when the front does
 * not take them as they are: anything but a well-formed HTTP/1.1 head with a Host, a decimal Content-Length
 * (or none) and no repeated field, Transfer-Encoding, Expect, Upgrade or Connection other than keep-alive.
 */
export function parseHead(text: string): FrontHead | undefined {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const line = REQUEST_LINE.exec(text.slice(0, eol));
  if (!line) return undefined;
  const fields = text.slice(eol + 2);
  if (eol < text.length && (fields.length === 0 || !FIELDS.test(fields))) return undefined;
  const headers: Record<string, string> = {};
  let contentLength = 0;
  let pos = eol + 2;
  while (pos < text.length) {
    let end = text.indexOf('\r\n', pos);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', pos);
    const name = knownName(text, pos, colon) ?? text.slice(pos, colon).toLowerCase();
    // Optional white space around the value.
    let a = colon + 1;
    let b = end;
    while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
    while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
    pos = end + 2;
    // `in`: a repeat, and a name of Object's prototype (__proto__, constructor), go to node:http.
    if (name in headers || HANDED.has(name)) return undefined;
    const value = text.slice(a, b);
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) return undefined;
      contentLength = Number(value);
    } else if (name === 'connection' && value.toLowerCase() !== 'keep-alive') return undefined;
    headers[name] = value;
  }
  if (headers.host === undefined) return undefined;
  return { method: line[1]!, url: line[2]!, headers, contentLength };
}

/** The Date header's value, made once a second (node:http keeps one the same way). */
let dateSecond = -1;
let dateText = '';
function utcDate(): string {
  const s = Math.floor(realNow() / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateText = realUtcString(s * 1000);
  }
  return dateText;
}
