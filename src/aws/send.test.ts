import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendAbortable } from './send.js';

test('sendAbortable: a cacheMiddleware client is sent no options (so its cache is used) and stops waiting when aborted', async () => {
  const seen: unknown[] = [];
  let finish!: (v: string) => void;
  const send = (o?: unknown) => {
    seen.push(o);
    return new Promise<string>((r) => (finish = r));
  };
  const ac = new AbortController();
  const p = sendAbortable({ config: { cacheMiddleware: true } }, ac.signal, send);
  ac.abort(new Error('Cancelled.'));
  await assert.rejects(p, /Cancelled\./);
  finish('late');
  assert.deepEqual(seen, [undefined]);
  assert.equal(await sendAbortable({ config: { cacheMiddleware: true } }, new AbortController().signal, async (o) => (o === undefined ? 'cached' : 'not')), 'cached');
});

test('sendAbortable: any other client gets the signal, as before', async () => {
  const ac = new AbortController();
  assert.equal(await sendAbortable({ config: {} }, ac.signal, async (o) => o?.abortSignal === ac.signal), true);
  assert.equal(await sendAbortable({ config: {} }, undefined, async (o) => o === undefined), true);
});
