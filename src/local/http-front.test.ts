/**
 * http-front.ts on a real node:http server over loopback TCP, driven by raw sockets: what it answers itself
 * (any split of the bytes, pipelined requests in order, the head node:http would write, Latin-1 and UTF-8),
 * what it hands to node:http (every unusual head, with the bytes already read, node:http's own 400 and 431
 * answers), a client going away or half-closing, answers while stopping, idle connections closed, and a head
 * that stalls answered 408.
 */
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket, type AddressInfo } from 'node:net';
import { installFront, parseHead, type FrontExchange, type FrontHead } from './http-front.js';

interface Harness {
  server: import('node:http').Server;
  port: number;
  /** Requests the front served, in order. */
  served: Array<{ head: FrontHead; body: string }>;
  /** Requests node:http served, in order. */
  node: Array<{ method: string; url: string; body: string; headers: IncomingMessage['headers'] }>;
  front: ReturnType<typeof installFront>;
  stopping: { value: boolean };
  /** How the front answers: by default at once, `200 <method> <url> <body>`. */
  answer: (head: FrontHead, body: string, ex: FrontExchange) => void;
  close(): Promise<void>;
}

async function harness(): Promise<Harness> {
  const node: Harness['node'] = [];
  const served: Harness['served'] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      node.push({ method: req.method!, url: req.url!, body, headers: req.headers });
      const text = `node ${req.method} ${req.url} ${body}`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 65_000;
  const stopping = { value: false };
  const h = {
    server,
    served,
    node,
    stopping,
    answer: (head: FrontHead, body: string, ex: FrontExchange) => ex.respond(200, { 'content-type': 'text/plain' }, `front ${head.method} ${head.url} ${body}`),
  } as Harness;
  h.front = installFront(server, {
    takes: (head) => head.method === 'POST',
    serve(head, body, ex) {
      served.push({ head, body });
      h.answer(head, body, ex);
    },
    closing: () => stopping.value,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  h.port = (server.address() as AddressInfo).port;
  h.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeIdleConnections();
      h.front.closeIdle();
    });
  return h;
}

/** A raw connection: write bytes, read answers (parsed by Content-Length), see it close. */
class Raw {
  readonly socket: Socket;
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  readonly whenClosed: Promise<void>;

  /** `allowHalfOpen`: a client that keeps its side open after the server's FIN (only its own end() closes it). */
  constructor(port: number, allowHalfOpen = false) {
    this.socket = connect({ port, host: '127.0.0.1', allowHalfOpen });
    this.socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    this.socket.on('error', () => {});
    this.whenClosed = new Promise((r) =>
      this.socket.on('close', () => {
        this.closed = true;
        this.wake();
        r();
      }),
    );
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next answer: status, lower-cased headers in order, raw head text, body bytes. */
  async answer(): Promise<{ status: number; headers: Array<[string, string]>; head: string; body: Buffer }> {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buf.toString('latin1', 0, end);
        const lines = head.split('\r\n');
        const headers = lines.slice(1).map((l): [string, string] => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]);
        const len = Number(headers.find(([k]) => k === 'content-length')?.[1] ?? 0);
        if (this.buf.length >= end + 4 + len) {
          const body = this.buf.subarray(end + 4, end + 4 + len);
          this.buf = this.buf.subarray(end + 4 + len);
          return { status: Number(lines[0]!.split(' ')[1]), headers, head, body };
        }
      }
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.buf.toString('latin1'))}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  end(): void {
    this.socket.end();
  }
}

/** Runs `fn` with a fresh harness and one raw connection to it; ends the connection and closes the server after. */
async function withConnection(fn: (h: Harness, c: Raw) => Promise<void>): Promise<void> {
  const h = await harness();
  const c = new Raw(h.port);
  try {
    await fn(h, c);
  } finally {
    c.end();
    await h.close();
  }
}

const post = (path: string, body: string, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

test('a POST is answered by the front: the head node:http writes, the body whole, the connection kept for the next', () =>
  withConnection(async (h, c) => {
    c.write(post('/a?x=1', 'héllo'));
    const a = await c.answer();
    assert.equal(a.status, 200);
    assert.match(a.head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.deepEqual(a.headers.map(([k]) => k), ['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
    assert.deepEqual(Object.fromEntries(a.headers.filter(([k]) => k !== 'date')), {
      'content-type': 'text/plain',
      'content-length': String(Buffer.byteLength('front POST /a?x=1 héllo')),
      connection: 'keep-alive',
      'keep-alive': 'timeout=65',
    });
    assert.ok(!Number.isNaN(Date.parse(a.headers.find(([k]) => k === 'date')![1])), 'a Date header');
    assert.equal(a.body.toString('utf8'), 'front POST /a?x=1 héllo');
    assert.deepEqual(h.served[0]!.head.headers, { host: '127.0.0.1', 'content-type': 'text/plain', 'content-length': '6' });
    c.write(post('/b', ''));
    assert.equal((await c.answer()).body.toString(), 'front POST /b ');
    assert.equal(h.node.length, 0);
    assert.deepEqual(h.front.stats(), { open: 1, handedOver: 0 });
  }));

test('a request split anywhere, byte by byte, is read whole (a multi-byte character split too)', () =>
  withConnection(async (h, c) => {
    const bytes = Buffer.from(post('/split', 'añb€'.repeat(3)));
    for (const b of bytes) {
      c.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal((await c.answer()).body.toString(), `front POST /split ${'añb€'.repeat(3)}`);
    assert.equal(h.served.length, 1);
  }));

test('pipelined requests are answered in order, one at a time: the next waits for the answer before it', () =>
  withConnection(async (h, c) => {
    const pending: Array<() => void> = [];
    h.answer = (head, body, ex) => pending.push(() => ex.respond(200, {}, body));
    c.write(post('/1', 'one') + post('/2', 'two') + post('/3', 'three'));
    // The three arrive in one write: had the front served the second before the first was answered, it would
    // have done so in the same turn as the first.
    while (h.served.length < 1) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(h.served.length, 1, 'the second request waits for the first answer');
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      while (pending.length === 0) await new Promise((r) => setImmediate(r));
      pending.shift()!();
      bodies.push((await c.answer()).body.toString());
    }
    assert.deepEqual(bodies, ['one', 'two', 'three']);
  }));

test('the first request the front does not take hands the connection to node:http, with every byte read', () =>
  withConnection(async (h, c) => {
    c.write(post('/fast', 'x'));
    assert.equal((await c.answer()).body.toString(), 'front POST /fast x');
    // A GET, then a POST pipelined behind it in the same write: both node:http's now.
    c.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n' + post('/after', 'y'));
    assert.equal((await c.answer()).body.toString(), 'node GET /slow ');
    assert.equal((await c.answer()).body.toString(), 'node POST /after y');
    c.write(post('/later', 'z'));
    assert.equal((await c.answer()).body.toString(), 'node POST /later z');
    assert.deepEqual(h.served.map((s) => s.head.url), ['/fast']);
    assert.deepEqual(h.front.stats(), { open: 0, handedOver: 1 });
  }));

test('unusual heads go to node:http: chunked and 100-continue bodies, HTTP/1.0, Connection: close, repeats', async () => {
  const h = await harness();
  try {
    const cases: Array<[string, string, string]> = [
      ['chunked', 'POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 'node POST /c abc'],
      ['expect', 'POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi', 'node POST /e hi'],
      ['http/1.0', 'POST /o HTTP/1.0\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi', 'node POST /o hi'],
      ['connection close', 'POST /k HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi', 'node POST /k hi'],
      ['repeated header', 'POST /r HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 2\r\n\r\nhi', 'node POST /r hi'],
      ['__proto__ header', 'POST /p HTTP/1.1\r\nHost: a\r\n__proto__: x\r\nContent-Length: 2\r\n\r\nhi', 'node POST /p hi'],
    ];
    for (const [what, bytes, want] of cases) {
      const c = new Raw(h.port);
      c.write(bytes);
      let a = await c.answer();
      if (a.status === 100) a = await c.answer(); // node:http's interim answer to Expect: 100-continue
      assert.equal(a.body.toString(), want, what);
      c.end();
    }
    assert.equal(h.served.length, 0);
    assert.equal(h.front.stats().handedOver, cases.length);
    assert.deepEqual(h.node.find((r) => r.url === '/r')!.headers['x-a'], '1, 2');
  } finally {
    await h.close();
  }
});

test('heads node:http refuses are handed to it, and it answers them: no Host 400, a bad header 400, 17 KB of head 431', async () => {
  const h = await harness();
  try {
    const cases: Array<[string, string, number]> = [
      ['no host', 'POST /n HTTP/1.1\r\nContent-Length: 0\r\n\r\n', 400],
      ['bad header name', 'POST /b HTTP/1.1\r\nHost: a\r\nBad Name: 1\r\nContent-Length: 0\r\n\r\n', 400],
      ['control character', 'POST /v HTTP/1.1\r\nHost: a\r\nX-V: a\x01b\r\nContent-Length: 0\r\n\r\n', 400],
      ['bad length', 'POST /l HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n', 400],
      ['huge head', `POST /h HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(17 * 1024)}\r\nContent-Length: 0\r\n\r\n`, 431],
    ];
    for (const [what, bytes, status] of cases) {
      const c = new Raw(h.port);
      c.write(bytes);
      const a = await c.answer();
      assert.equal(a.status, status, what);
      await c.whenClosed;
    }
    assert.equal(h.served.length, 0);
  } finally {
    await h.close();
  }
});

/** A request the front holds unanswered (a long poll), and a promise of its abort. */
async function pendingRequest(h: Harness, c: Raw, path: string): Promise<{ exchange: FrontExchange; aborted: Promise<void> }> {
  let exchange: FrontExchange | undefined;
  h.answer = (_head, _body, ex) => (exchange = ex);
  c.write(post(path, ''));
  while (!exchange) await new Promise((r) => setImmediate(r));
  const held = exchange;
  return { exchange: held, aborted: new Promise<void>((r) => held.onAbort(r)) };
}

test('a client going away before the answer aborts the request; the late answer writes nothing', async () => {
  const h = await harness();
  const c = new Raw(h.port);
  try {
    const { exchange, aborted } = await pendingRequest(h, c, '/poll');
    assert.equal(exchange.aborted, false);
    c.socket.destroy();
    await aborted;
    assert.equal(exchange.aborted, true);
    let late = false;
    exchange.onAbort(() => (late = true));
    assert.ok(late, 'onAbort after the abort runs at once');
    exchange.respond(200, {}, 'too late');
    for (let i = 0; i < 1000 && h.front.stats().open > 0; i++) await new Promise((r) => setImmediate(r));
    assert.equal(h.front.stats().open, 0, 'the connection is gone');
  } finally {
    await h.close();
  }
});

test('a client that half-closes with a request pending aborts it, as node:http does', async () => {
  const h = await harness();
  const c = new Raw(h.port);
  try {
    const { aborted } = await pendingRequest(h, c, '/half');
    c.end();
    await aborted;
    await c.whenClosed;
  } finally {
    await h.close();
  }
});

test('a header value node:http would refuse throws and writes nothing; the answer given after it is the one sent', () =>
  withConnection(async (h, c) => {
    h.answer = (_head, _body, ex) => {
      assert.throws(() => ex.respond(200, { 'x-bad': 'a\r\nx-injected: 1' }, 'no'), { code: 'ERR_INVALID_CHAR' });
      ex.respond(500, { 'x-latin': 'caf\u00e9' }, 'fallback \u20ac');
    };
    c.write(post('/bad', ''));
    const a = await c.answer();
    assert.equal(a.status, 500);
    assert.match(a.head, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    assert.ok(!a.head.includes('x-injected'));
    assert.equal(a.headers.find(([k]) => k === 'x-latin')![1], 'caf\u00e9', 'Latin-1 header bytes');
    assert.equal(a.body.toString('utf8'), 'fallback \u20ac');
  }));

test('while stopping, answers say Connection: close and end the connection; idle connections are closed', async () => {
  const h = await harness();
  const busy = new Raw(h.port);
  const idle = new Raw(h.port);
  try {
    busy.write(post('/one', ''));
    await busy.answer();
    idle.write(post('/two', ''));
    await idle.answer();
    h.stopping.value = true;
    busy.write(post('/last', ''));
    const a = await busy.answer();
    assert.equal(a.headers.find(([k]) => k === 'connection')![1], 'close');
    assert.equal(a.headers.find(([k]) => k === 'keep-alive'), undefined);
    await busy.whenClosed;
    h.front.closeIdle();
    await idle.whenClosed;
  } finally {
    await h.close();
  }
});

test('Connection: close closes the connection from the server side, also for a client that keeps its own side open', async () => {
  const h = await harness();
  const c = new Raw(h.port, true);
  try {
    c.write(post('/one', ''));
    await c.answer();
    h.stopping.value = true;
    c.write(post('/last', ''));
    assert.equal((await c.answer()).headers.find(([k]) => k === 'connection')![1], 'close');
    for (let i = 0; i < 1000 && h.front.stats().open > 0; i++) await new Promise((r) => setImmediate(r));
    assert.equal(h.front.stats().open, 0, 'the front let go of the connection');
    const open = await new Promise<number>((r) => h.server.getConnections((_err, n) => r(n)));
    assert.equal(open, 0, 'the server holds no socket: close() does not wait for the client');
  } finally {
    c.socket.destroy();
    await h.close();
  }
});

test('answers with a header name or value node:http refuses throw and write nothing', () =>
  withConnection(async (h, c) => {
    const thrown: string[] = [];
    h.answer = (_head, _body, ex) => {
      const refused: Array<Record<string, string>> = [{ 'bad name': 'x' }, { 'x-a\r\nx-b': 'x' }, { 'x-undefined': undefined as unknown as string }];
      for (const headers of refused) {
        try {
          ex.respond(200, headers, 'no');
        } catch (err) {
          thrown.push((err as { code: string }).code);
        }
      }
      ex.respond(200, { 'x-ok': 'yes' }, 'ok');
    };
    c.write(post('/h', ''));
    const a = await c.answer();
    assert.deepEqual(thrown, ['ERR_INVALID_HTTP_TOKEN', 'ERR_INVALID_HTTP_TOKEN', 'ERR_INVALID_CHAR']);
    assert.equal(a.body.toString(), 'ok');
    assert.equal(a.headers.find(([k]) => k === 'x-ok')![1], 'yes');
  }));

test('a head with bare LF line ends is left for node:http to judge', () =>
  withConnection(async (h, c) => {
    c.write('POST /lf HTTP/1.1\nHost: a\nContent-Length: 0\n\n');
    const a = await c.answer();
    assert.ok(a.status === 400 || a.body.toString() === 'node POST /lf ', `node:http answered (${a.status})`);
    assert.equal(h.served.length, 0);
    assert.equal(h.front.stats().handedOver, 1);
  }));

test('fake timers in the process (node:test mock.timers: setInterval, Date) neither stop the front nor date its answers', async () => {
  const h = await harness();
  h.server.keepAliveTimeout = 200;
  mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: 0 });
  const c = new Raw(h.port);
  try {
    c.write(post('/t', ''));
    const a = await c.answer();
    const date = Date.parse(a.headers.find(([k]) => k === 'date')![1]);
    mock.timers.reset();
    assert.ok(Math.abs(date - Date.now()) < 5 * 60_000, `the Date header is the real date: ${new Date(date).toISOString()}`);
    assert.equal(a.headers.find(([k]) => k === 'keep-alive')![1], 'timeout=0', 'Keep-Alive follows the server\'s keepAliveTimeout');
    // Created while the timers were fake, the sweeper is a real one: the idle connection is closed.
    await c.whenClosed;
  } finally {
    mock.timers.reset();
    await h.close();
  }
});

test('an idle connection is closed after the keep-alive timeout; a head that stalls gets 408 after the headers timeout', async () => {
  const h = await harness();
  // node:http's own settings, which the front follows; its sweeper looks every second.
  h.server.keepAliveTimeout = 200;
  h.server.headersTimeout = 300;
  const idle = new Raw(h.port);
  const stalled = new Raw(h.port);
  try {
    idle.write(post('/x', ''));
    await idle.answer();
    stalled.write('POST /s HTTP/1.1\r\nHost: a\r\n');
    await idle.whenClosed;
    const a = await stalled.answer();
    assert.equal(a.status, 408);
    await stalled.whenClosed;
    assert.equal(h.served.length, 1);
  } finally {
    await h.close();
  }
});

test('parseHead: what the front takes as is, and what it leaves to node:http', () => {
  assert.deepEqual(parseHead('POST /?a=b HTTP/1.1\r\nHost: h\r\nX-Amz-Target:  AmazonSQS.SendMessage \r\nContent-Length: 12'), {
    method: 'POST',
    url: '/?a=b',
    headers: { host: 'h', 'x-amz-target': 'AmazonSQS.SendMessage', 'content-length': '12' },
    contentLength: 12,
  });
  assert.equal(parseHead('POST / HTTP/1.1\r\nHost: h')!.contentLength, 0, 'no Content-Length: no body');
  assert.equal(parseHead('POST / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive')!.headers.connection, 'Keep-Alive');
  for (const head of [
    'POST / HTTP/1.1',
    'POST / HTTP/1.0\r\nHost: h',
    'POST  / HTTP/1.1\r\nHost: h',
    'POST /a b HTTP/1.1\r\nHost: h',
    'PO ST / HTTP/1.1\r\nHost: h',
    'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1',
    'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1',
    'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked',
    'POST / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket',
    'POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue',
    'POST / HTTP/1.1\r\nHost: h\r\nConnection: upgrade',
    'POST / HTTP/1.1\r\nHost: h\r\nhost: h',
    'POST / HTTP/1.1\r\nHost: h\r\nno colon',
    'POST / HTTP/1.1\r\nHost: h\r\n: empty name',
    'POST / HTTP/1.1\r\nHost: h\r\nX: a\nb',
    'POST / HTTP/1.1\r\nHost: h\r\n X: leading space',
    'POST / HTTP/1.1\r\nHost: h\r\nConstructor: x',
  ]) {
    assert.equal(parseHead(head), undefined, JSON.stringify(head));
  }
});
