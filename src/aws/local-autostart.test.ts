import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SvlError } from '../errors.js';
import { ensureLocalEmulator, isHealthy } from './local-autostart.js';

function healthServer(port = 0): Promise<Server> {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/_svl/health' ? 200 : 404;
    res.end('{"ok":true}');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
const portOf = (s: Server) => (s.address() as AddressInfo).port;
const close = (s: Server) => new Promise((r) => s.close(r));

/** A port nothing listens on: bind, read it, release it. */
async function freePort(): Promise<number> {
  const s = await healthServer();
  const port = portOf(s);
  await close(s);
  return port;
}

describe('ensureLocalEmulator', () => {
  it('does nothing when the emulator already answers', async () => {
    const server = await healthServer();
    const said: string[] = [];
    try {
      await ensureLocalEmulator(`http://127.0.0.1:${portOf(server)}`, { info: (m) => said.push(m) }, {
        start: () => assert.fail('must not start a second emulator'),
      });
      assert.deepEqual(said, []);
    } finally {
      await close(server);
    }
  });

  it('starts it on the endpoint port, waits for health, and says so on the ui', async () => {
    const port = await freePort();
    const said: string[] = [];
    let started: Server | undefined;
    try {
      await ensureLocalEmulator(`http://127.0.0.1:${port}`, { info: (m) => said.push(m) }, {
        start: async (p) => {
          assert.equal(p, port);
          started = await healthServer(p);
          return { exited: () => null };
        },
        pollIntervalMs: 10,
      });
      assert.deepEqual(said, [`Started the local emulator on http://127.0.0.1:${port} (svl local stop to stop it)`]);
    } finally {
      if (started) await close(started);
    }
  });

  it('fails with a hint when the started process exits with an error', async () => {
    const port = await freePort();
    await assert.rejects(
      ensureLocalEmulator(`http://127.0.0.1:${port}`, { info: () => undefined }, {
        start: async () => ({ exited: () => 1 }),
        pollIntervalMs: 10,
      }),
      (e: unknown) => {
        assert.ok(e instanceof SvlError);
        assert.match(e.message, /Could not start the local emulator/);
        assert.match(e.hint ?? '', /svl local start/);
        return true;
      },
    );
  });

  it('gives up after the ready timeout', async () => {
    const port = await freePort();
    const t0 = Date.now();
    await assert.rejects(
      ensureLocalEmulator(`http://127.0.0.1:${port}`, { info: () => undefined }, {
        start: async () => ({ exited: () => null }),
        readyTimeoutMs: 200,
        pollIntervalMs: 20,
      }),
      /Could not start/,
    );
    assert.ok(Date.now() - t0 < 2000);
  });

  it('does not try to start an emulator for a remote endpoint', async () => {
    await ensureLocalEmulator('http://192.0.2.1:4566', { info: () => assert.fail('nothing to say') }, {
      start: () => assert.fail('must not spawn for a remote host'),
      probeTimeoutMs: 50,
    });
  });
});

describe('isHealthy', () => {
  it('is false on a non-200 answer and on connection refused', async () => {
    const server = await healthServer();
    try {
      assert.equal(await isHealthy(`http://127.0.0.1:${portOf(server)}/other`, 300), false);
      assert.equal(await isHealthy(`http://127.0.0.1:${portOf(server)}/_svl/health`, 300), true);
    } finally {
      await close(server);
    }
    assert.equal(await isHealthy(`http://127.0.0.1:${await freePort()}/_svl/health`, 300), false);
  });
});

describe('errorFromJson', () => {
  it('reads the last JSON error line a failed `svl … --json` printed, keeping its exit code', async () => {
    const { errorFromJson } = await import('./local-autostart.js');
    const line = JSON.stringify({ error: { code: 'PortInUse', message: 'Port 4566 on 127.0.0.1 is already in use.', hint: 'pick another --port', requestId: null, exitCode: 2 } });
    const e = errorFromJson(`12:00:00 something logged\n${line}\n`, 2);
    assert.ok(e instanceof SvlError);
    assert.equal(e.exitCode, 2);
    assert.equal(e.code, 'PortInUse');
    assert.equal(e.hint, 'pick another --port');
    assert.equal(errorFromJson('no json here\n{"error": broken', 1), undefined);
  });
});
