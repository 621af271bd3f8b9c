// SQS over the legacy Query protocol, driven by a real Query client: Debian's python3-boto3 (botocore
// 1.29.x, form-encoded requests, XML responses) runs test/integration/py/sqs_query_suite.py against an
// in-process emulator. The emulator runs on the system clock: the Python suite cannot advance a fake one,
// and none of its checks waits on a timer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { requireQueryClient, runPython } from '../helpers/boto.mjs';
import { startTestEmulator } from '../helpers/emulator.mjs';

const SUITE = fileURLToPath(new URL('./py/sqs_query_suite.py', import.meta.url));

test('SQS Query protocol: Debian python3-boto3 suite passes against the emulator', async () => {
  const version = requireQueryClient();
  const { emu, url } = await startTestEmulator({ fake: false });
  try {
    const { code, out } = await runPython([SUITE, url], { timeoutMs: 120_000 });
    assert.equal(code, 0, `sqs_query_suite.py (botocore ${version}) exited ${code}:\n${out}`);
    // The suite really spoke Query and really ran its checks.
    assert.match(out, /\(query protocol\)/, out);
    const ran = /^Ran (\d+) tests?/m.exec(out);
    assert.ok(ran && Number(ran[1]) >= 20, `expected the full suite to run:\n${out}`);
    assert.match(out, /^OK$/m, out);
    // And it left its traces in the emulator: queues it created are there (FIFO ones included).
    const names = emu.sqs.queues.all().map((q) => q.name);
    assert.ok(names.some((n) => /^pyq[0-9a-f]{8}-order\.fifo$/.test(n)), `queues: ${names.join(', ')}`);
  } finally {
    await emu.close();
  }
});
