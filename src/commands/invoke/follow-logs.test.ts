import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readAttempts } from './follow-logs.js';

const ID = '3f0c2a4e-1b2c-4d5e-8f90-123456789abc';
const start = `START RequestId: ${ID} Version: $LATEST\n`;
const end = `END RequestId: ${ID}\n`;
const report = (extra = '') => `REPORT RequestId: ${ID}\tDuration: 2.1 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB${extra}\n`;
const nodeError = `2026-12-04T20:00:00.000Z\t${ID}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"nope","stack":["TypeError: nope"]}\n`;

describe('readAttempts (CloudWatch log lines of one async request)', () => {
  it('a clean START..REPORT is a success', () => {
    assert.deepEqual(readAttempts([start, `2026-12-04T20:00:00.000Z\t${ID}\tINFO\thi\n`, end, report()], ID), { attempts: 1, succeeded: true, failedAttempts: 0, lastError: null });
  });
  it('an error line fails the attempt and names the error; a later clean attempt succeeds', () => {
    const failedOnce = readAttempts([start, nodeError, end, report()], ID);
    assert.deepEqual(failedOnce, { attempts: 1, succeeded: false, failedAttempts: 1, lastError: { type: 'TypeError', message: 'nope' } });
    assert.equal(readAttempts([start, nodeError, end, report(), start, end, report()], ID).succeeded, true);
  });
  it('timeouts (Task timed out, Status: timeout) and other requests\' lines', () => {
    const timedOut = readAttempts([start, `2026-12-04T20:00:03.000Z ${ID} Task timed out after 3.00 seconds\n`, end, report('\tStatus: timeout')], ID);
    assert.equal(timedOut.failedAttempts, 1);
    assert.equal(timedOut.lastError?.type, 'Sandbox.Timedout');
    assert.deepEqual(readAttempts([`START RequestId: other Version: $LATEST\n`], ID), { attempts: 0, succeeded: false, failedAttempts: 0, lastError: null });
  });
});
