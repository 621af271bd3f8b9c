import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, UsageError } from '../errors.js';
import { createPrompts, whyNotInteractive } from './prompts.js';
import { fakeIo } from './test-streams.js';

function prompts(opts: { tty?: boolean; ci?: boolean; json?: boolean; yes?: boolean } = {}) {
  const io = fakeIo(opts.tty ?? false);
  return createPrompts({ stdin: io.stdin, stderr: io.stderr, ci: opts.ci ?? false, json: opts.json ?? false, yes: opts.yes ?? false });
}

describe('prompts: when nobody can answer', () => {
  it('input without a TTY throws a UsageError naming the flag', async () => {
    await assert.rejects(prompts().input({ message: 'Queues?', flag: '--queues' }), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, 'Missing --queues (no terminal to ask on)');
      assert.equal(e.exitCode, 2);
      assert.match(e.hint ?? '', /--queues/);
      return true;
    });
  });

  it('never prompts with CI, --json or --yes even on a TTY', async () => {
    for (const o of [{ ci: true }, { json: true }, { yes: true }]) {
      const p = prompts({ tty: true, ...o });
      assert.equal(p.interactive, false, JSON.stringify(o));
      await assert.rejects(p.select({ message: 'Template?', flag: '--template', choices: [{ name: 'fanout', value: 'fanout' }] }), UsageError);
    }
  });

  it('is interactive only with TTYs and none of the above', () => {
    assert.equal(prompts({ tty: true }).interactive, true);
    assert.equal(whyNotInteractive({ ...fakeIo(true), stderr: fakeIo(false).stderr, ci: false, json: false, yes: false }), 'no terminal to ask on');
  });

  it('uses defaults instead of asking when one is given', async () => {
    const p = prompts();
    assert.equal(await p.input({ message: 'Name?', flag: '--name', default: 'demo' }), 'demo');
    assert.equal(await p.confirm({ message: 'DLQ?', flag: '--dlq', default: true }), true);
    assert.equal(await p.select({ message: 'T?', flag: '--t', choices: [{ name: 'a', value: 1 }], default: 1 }), 1);
    assert.deepEqual(await p.checkbox({ message: 'Q?', flag: '--q', choices: [{ name: 'a', value: 'a' }], default: ['a'] }), ['a']);
    await assert.rejects(p.checkbox({ message: 'Q?', flag: '--q', choices: [] }), /Missing --q/);
    await assert.rejects(p.confirm({ message: 'Sure?', flag: '--force' }), /Missing --force/);
  });
});

describe('prompts: confirmDestructive', () => {
  it('refuses without --yes when not interactive', async () => {
    await assert.rejects(prompts({ ci: true }).confirmDestructive({ message: 'Delete?', action: 'delete 3 queues' }), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, 'Refusing to delete 3 queues without --yes when not interactive');
      return true;
    });
  });

  it('returns true with --yes, without asking', async () => {
    assert.equal(await prompts({ yes: true }).confirmDestructive({ message: 'Delete?', action: 'delete' }), true);
  });

  it('names a custom flag', async () => {
    await assert.rejects(prompts().confirmDestructive({ message: 'Purge?', action: 'purge orders', flag: '--force' }), /without --force/);
  });

  it('CancelledError is the exit-130 error', () => {
    assert.equal(new CancelledError().exitCode, 130);
  });
});
