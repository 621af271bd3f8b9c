import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { colorLevel } from './color.js';
import { formatError } from './error.js';
import { createStyle, createUi } from './index.js';
import { fakeIo } from './test-streams.js';

const base = { json: false, yes: false, color: true, debug: false, env: {} };

describe('Ui.result', () => {
  it('prints JSON on stdout with --json and skips the renderer', () => {
    const io = fakeIo();
    const ui = createUi({ ...base, json: true, io });
    ui.result({ a: 1 }, () => assert.fail('renderer must not run with --json'));
    assert.equal(io.stdout.text, '{\n  "a": 1\n}\n');
    assert.equal(io.stderr.text, '');
  });

  it('prints the rendering on stdout otherwise, with one trailing newline', () => {
    const io = fakeIo();
    createUi({ ...base, io }).result({ n: 3 }, (d) => `n=${d.n}`);
    assert.equal(io.stdout.text, 'n=3\n');
  });
});

describe('Ui.record and Ui.clear (streams, watch mode)', () => {
  it('record prints one compact JSON line per call with --json (NDJSON)', () => {
    const io = fakeIo();
    const ui = createUi({ ...base, json: true, io });
    ui.record({ a: 1 }, () => assert.fail('renderer must not run with --json'));
    ui.record({ a: [2] }, () => 'x');
    assert.equal(io.stdout.text, '{"a":1}\n{"a":[2]}\n');
  });

  it('record renders for humans otherwise', () => {
    const io = fakeIo();
    createUi({ ...base, io }).record({ n: 1 }, (d) => `n=${d.n}`);
    assert.equal(io.stdout.text, 'n=1\n');
  });

  it('clear writes the erase sequence only on a terminal and never with --json', () => {
    const piped = fakeIo(false);
    createUi({ ...base, io: piped }).clear();
    assert.equal(piped.stdout.text, '');
    const tty = fakeIo(true);
    createUi({ ...base, io: tty }).clear();
    assert.match(tty.stdout.text, /^\x1b\[2J/);
    const json = fakeIo(true);
    createUi({ ...base, json: true, io: json }).clear();
    assert.equal(json.stdout.text, '');
  });
});

describe('Ui messages', () => {
  it('info/warn/success/hint go to stderr, never stdout', () => {
    const io = fakeIo();
    const ui = createUi({ ...base, io });
    ui.info('one');
    ui.warn('two');
    ui.success('three');
    ui.hint('Next: svl status');
    ui.debug('hidden without --debug');
    assert.equal(io.stdout.text, '');
    assert.equal(io.stderr.text, 'one\nWarning: two\nthree\nNext: svl status\n');
  });

  it('debug prints only with --debug', () => {
    const io = fakeIo();
    createUi({ ...base, debug: true, io }).debug('details');
    assert.equal(io.stderr.text, '[debug] details\n');
  });
});

describe('Ui.table', () => {
  it('renders rows without colour codes when not on a TTY', () => {
    const ui = createUi({ ...base, io: fakeIo(false) });
    const t = ui.table(['name', 'depth'], [['orders', 3], ['dlq', null]]);
    assert.match(t, /│ name\s+│ depth │/);
    assert.match(t, /│ orders\s+│ 3\s+│/);
    assert.doesNotMatch(t, /\x1b\[/);
  });

  it('bolds headers when stdout is a colour TTY', () => {
    const ui = createUi({ ...base, env: { TERM: 'xterm' }, io: fakeIo(true) });
    assert.match(ui.table(['name'], [['x']]), /\x1b\[1mname/);
  });
});

describe('Ui.spinner', () => {
  it('is a quiet stand-in without a TTY: no progress, but the final line is printed', async () => {
    const io = fakeIo(false);
    const s = await createUi({ ...base, io }).spinner('Creating queues');
    s.update('Creating queues 1/2');
    s.succeed('Created 2 queues');
    s.stop();
    assert.equal(io.stderr.text, 'Created 2 queues\n');
    assert.equal(io.stdout.text, '');
  });

  it('is quiet with --json even on a TTY', async () => {
    const io = fakeIo(true);
    const s = await createUi({ ...base, json: true, env: { TERM: 'xterm' }, io }).spinner('Working');
    s.fail();
    assert.match(io.stderr.text, /Working\n$/);
    assert.doesNotMatch(io.stderr.text, /⠋|⠙/);
  });
});

describe('colorLevel', () => {
  const tty = { isTTY: true };
  it('is on for a TTY and off for a pipe', () => {
    assert.ok(colorLevel(tty, { TERM: 'xterm' }) > 0);
    assert.equal(colorLevel({ isTTY: false }, {}), 0);
  });
  it('honours --no-color, NO_COLOR and FORCE_COLOR=0', () => {
    assert.equal(colorLevel(tty, {}, false), 0);
    assert.equal(colorLevel(tty, { NO_COLOR: '1' }), 0);
    assert.equal(colorLevel(tty, { FORCE_COLOR: '0' }), 0);
    assert.equal(colorLevel(tty, { TERM: 'dumb' }), 0);
  });
  it('FORCE_COLOR turns colour on even when piped, unless NO_COLOR or --no-color', () => {
    assert.equal(colorLevel({ isTTY: false }, { FORCE_COLOR: '1' }), 1);
    assert.equal(colorLevel({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }), 0);
    assert.equal(colorLevel({ isTTY: false }, { FORCE_COLOR: '3' }, false), 0);
  });
  it('detects 256 colours and truecolor', () => {
    assert.equal(colorLevel(tty, { TERM: 'xterm-256color' }), 2);
    assert.equal(colorLevel(tty, { COLORTERM: 'truecolor' }), 3);
  });
});

describe('formatError', () => {
  const report = { code: 'QueueDoesNotExist', message: 'Queue "a" not found', hint: 'Check the name', requestId: 'r-1', exitCode: 1, stack: 'Error: x\n    at y' };
  const plain = createStyle(0);

  it('prints Error / Hint / Request id lines, stack only with --debug', () => {
    assert.equal(formatError(report, { json: false, debug: false, style: plain }), 'Error: Queue "a" not found\nHint: Check the name\nRequest id: r-1\n');
    assert.match(formatError(report, { json: false, debug: true, style: plain }), /\n\nError: x\n {4}at y\n$/);
  });

  it('omits absent hint and request id lines', () => {
    assert.equal(formatError({ code: 'X', message: 'm', exitCode: 1 }, { json: false, debug: false, style: plain }), 'Error: m\n');
  });

  it('prints one JSON object with a fixed set of keys with --json', () => {
    const parsed = JSON.parse(formatError({ code: 'UsageError', message: 'm', exitCode: 2 }, { json: true, debug: false, style: plain }));
    assert.deepEqual(parsed, { error: { code: 'UsageError', message: 'm', hint: null, requestId: null, exitCode: 2 } });
    const withStack = JSON.parse(formatError(report, { json: true, debug: true, style: plain }));
    assert.equal(withStack.error.stack, report.stack);
    assert.equal(withStack.error.requestId, 'r-1');
  });
});
