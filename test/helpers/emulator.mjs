// Test harness: an in-process emulator (in-memory SQLite, fake clock) on an ephemeral loopback port,
// and real AWS SDK clients pointed at it over HTTP.
import { startEmulator } from '../../dist/local/server.js';
import { FakeClock } from '../../dist/local/clock.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Starts an emulator; `fake: false` uses the system clock. */
export async function startTestEmulator({ fake = true, stateDir, log, lambdaProcessLimit, lambdaIdleProcessMs } = {}) {
  const clock = fake ? new FakeClock() : undefined;
  const emu = await startEmulator({ port: 0, inMemory: !stateDir, stateDir, clock, log, lambdaProcessLimit, lambdaIdleProcessMs });
  return { emu, clock, url: emu.url };
}

export async function sqsClient(url) {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  return new SQSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

export async function snsClient(url) {
  const { SNSClient } = await import('@aws-sdk/client-sns');
  return new SNSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/**
 * Resolves once the emulator at `url` reports itself idle (`GET /_svl/idle`) twice in a row: nothing
 * would happen without its clock moving on. What tests await instead of sleeping to prove that
 * nothing happened (and to let a state change settle).
 */
export async function waitIdle(url, { timeoutMs = 10_000 } = {}) {
  const end = Date.now() + timeoutMs;
  let streak = 0;
  let last;
  while (streak < 2) {
    last = await (await fetch(`${url}/_svl/idle`)).json();
    streak = last.idle ? streak + 1 : 0;
    if (Date.now() > end) throw new Error(`the emulator did not become idle: ${last.busy.join('; ')}`);
    if (streak < 2) await new Promise((r) => setImmediate(r));
  }
}

/** Lets pending I/O callbacks run (after advancing a fake clock, long polls answer asynchronously). */
export const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

/** Expects `promise` to reject with an SDK error of `name`; returns the error. */
export async function rejectsWith(assert, promise, name, messageIncludes) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    if (messageIncludes) assert.ok(String(err.message).includes(messageIncludes), `message "${err.message}" lacks "${messageIncludes}"`);
    return err;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}
