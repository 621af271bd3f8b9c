import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SvlError } from '../errors.js';
import { bindError } from './server.js';

const errno = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

// EACCES cannot be provoked in a test that runs as root (root may bind port 80): the mapping is checked here.
describe('bindError', () => {
  for (const [code, port, host, expected, hint] of [
    ['EADDRINUSE', 4566, '127.0.0.1', 'PortInUse', /--port/],
    ['EADDRNOTAVAIL', 4566, '192.0.2.1', 'AddressNotAvailable', /--host/],
    ['EACCES', 80, '127.0.0.1', 'PortNotPermitted', /--port 4566/],
    ['ENOTFOUND', 4566, 'nowhere.invalid', 'AddressNotAvailable', /--host 127.0.0.1/],
  ] as const) {
    it(`${code} -> ${expected}, exit 2, with the fix`, () => {
      const e = bindError(errno(code), host, port);
      assert.ok(e instanceof SvlError);
      assert.equal(e.exitCode, 2);
      assert.equal(e.code, expected);
      assert.match(e.hint ?? '', hint);
      assert.doesNotMatch(e.message, /bug/);
    });
  }

  it('shows IPv6 addresses in brackets, and passes unknown errors through', () => {
    assert.match((bindError(errno('EADDRNOTAVAIL'), 'fe80::1', 4566) as SvlError).message, /\[fe80::1\]:4566/);
    const other = errno('EMFILE');
    assert.equal(bindError(other, '127.0.0.1', 1), other);
  });
});
