// A loopback HTTP proxy in front of the emulator that can hold requests: a test stops a command at an
// exact point (say, after the 50th SendMessageBatch), signals it, and only then lets the held calls
// through - no timing involved. It forwards bytes unchanged (the emulator does not check signatures).
import http from 'node:http';

/** The AWS operation of a request: the JSON protocol's X-Amz-Target, else the Query protocol's Action. */
function operationOf(headers, body) {
  const target = headers['x-amz-target'];
  if (target) return String(target).split('.').pop();
  return new URLSearchParams(body.toString('utf8')).get('Action') ?? '';
}

/** Forwards a request whose body was read to `upstream` and writes its answer back (bytes unchanged). */
export async function forward(req, res, body, upstream) {
  const headers = { ...req.headers };
  for (const h of ['host', 'connection', 'content-length', 'transfer-encoding']) delete headers[h];
  try {
    const up = await fetch(new URL(req.url, upstream), { method: req.method, headers, body: ['GET', 'HEAD'].includes(req.method) ? undefined : body });
    const out = Buffer.from(await up.arrayBuffer());
    const rh = {};
    up.headers.forEach((v, k) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding', 'keep-alive'].includes(k)) rh[k] = v;
    });
    res.writeHead(up.status, { ...rh, 'content-length': out.length });
    res.end(out);
  } catch {
    res.destroy();
  }
}

export async function startGate(upstream) {
  const counts = new Map();
  let hold = () => false;
  let held = [];
  const waiters = new Set();
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const op = operationOf(req.headers, body);
    const n = (counts.get(op) ?? 0) + 1;
    counts.set(op, n);
    if (hold(op, n, body)) {
      await new Promise((resolve) => {
        held.push(resolve);
        for (const w of waiters) if (held.length >= w.n) (waiters.delete(w), w.resolve());
      });
    }
    await forward(req, res, body, upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Hold every request for which `fn(operation, nthOfThatOperation, body)` is true, until release(). */
    holdWhen(fn) {
      hold = fn;
    },
    /** Resolves once at least `n` requests are held. */
    held(n = 1) {
      return new Promise((resolve) => {
        if (held.length >= n) resolve();
        else waiters.add({ n, resolve });
      });
    },
    /**
     * Once a request is held: signals the spawned command `job` (spawn.mjs), waits until it says it stops
     * at a safe point, lets the held requests through and resolves with its result.
     */
    async interrupt(job, signal = 'SIGINT') {
      await this.held(1);
      job.child.kill(signal);
      await job.waitFor(/Stopping at a safe point/);
      this.release();
      return job.done;
    },
    /** How many requests of `operation` arrived so far. */
    count: (op) => counts.get(op) ?? 0,
    /** Lets the held requests through and stops holding. */
    release() {
      hold = () => false;
      const h = held;
      held = [];
      for (const r of h) r();
    },
    async close() {
      this.release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
