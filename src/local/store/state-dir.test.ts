import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SvlError } from '../../errors.js';
import { prepareStateDir } from './state-dir.js';
import { openStore } from './db.js';

let root = '';
before(() => {
  root = mkdtempSync(join(tmpdir(), 'svl-state-dir-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const unusable = (re: RegExp) => (e: unknown) =>
  e instanceof SvlError && e.exitCode === 2 && e.code === 'StateDirUnusable' && re.test(e.message) && /--state-dir/.test(e.hint ?? '');

describe('prepareStateDir', () => {
  it('creates missing parents and leaves no probe file behind', () => {
    const dir = join(root, 'a', 'b', 'c');
    prepareStateDir(dir);
    assert.ok(existsSync(dir));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a path that is a file, or lies under one: exit 2 with another --state-dir as the fix', () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    assert.throws(() => prepareStateDir(file), unusable(/it is a file, not a directory/));
    assert.throws(() => prepareStateDir(join(file, 'sub', 'dir')), unusable(/is a file, not a directory/));
  });

  // Tests may run as root, which ignores permission bits: /proc and /sys refuse even root.
  it('a place nobody can create or write in (/proc, /sys) fails at once, not in an endless mkdir', () => {
    assert.throws(() => prepareStateDir('/proc/svl-state-test/x'), unusable(/cannot be used/));
    if (existsSync('/sys/kernel')) assert.throws(() => prepareStateDir('/sys/kernel'), unusable(/cannot write in it/));
  });
});

describe('openStore', () => {
  it('a damaged database: exit 2, the hint says `svl local reset --yes`, and the lock is released', () => {
    const dir = join(root, 'corrupt');
    prepareStateDir(dir);
    writeFileSync(join(dir, 'svl.db'), Buffer.alloc(8192, 'garbage!'));
    const damaged = (e: unknown) =>
      e instanceof SvlError && e.exitCode === 2 && e.code === 'StateDbCorrupt' && /svl local reset --yes --state-dir/.test(e.hint ?? '');
    assert.throws(() => openStore({ stateDir: dir }), damaged);
    assert.ok(!existsSync(join(dir, 'emulator.lock')), 'no lock left behind');
    assert.throws(() => openStore({ stateDir: dir }), damaged, 'the same answer the second time (not "locked")');
  });

  it('a database from a newer svl: exit 2, not migrated', () => {
    const dir = join(root, 'newer');
    openStore({ stateDir: dir }).close();
    const s = openStore({ stateDir: dir });
    s.db.pragma('user_version = 999');
    s.close();
    assert.throws(() => openStore({ stateDir: dir }), (e: unknown) => e instanceof SvlError && e.exitCode === 2 && e.code === 'StateDbTooNew');
  });
});
