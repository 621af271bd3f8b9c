// The emulator's V8 tuning is applied only on the Node majors it was checked on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INLINING_BUDGET, tuneV8ForEmulator } from './v8-tuning.js';

test('the inlining budget is set on Node 20 and 24, and left alone on other majors', () => {
  assert.equal(INLINING_BUDGET, 300);
  assert.equal(tuneV8ForEmulator('18.20.0'), false);
  assert.equal(tuneV8ForEmulator('22.11.0'), false);
  assert.equal(tuneV8ForEmulator('26.0.0'), false);
  assert.equal(tuneV8ForEmulator('20.20.2'), true);
  assert.equal(tuneV8ForEmulator('24.22.3'), true);
});
