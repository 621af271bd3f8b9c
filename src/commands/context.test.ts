import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { createCommandContext, resolveGlobals } from './context.js';
import { fakeIo } from '../ui/test-streams.js';

describe('resolveGlobals', () => {
  it('applies SVL_JSON / SVL_DEBUG fallbacks; flags win', () => {
    assert.deepEqual(resolveGlobals({}, {}), { json: false, yes: false, color: true, debug: false });
    assert.deepEqual(resolveGlobals({}, { SVL_JSON: '1', SVL_DEBUG: 'true' }), { json: true, yes: false, color: true, debug: true });
    assert.equal(resolveGlobals({ json: true }, { SVL_JSON: '0' }).json, true);
    assert.equal(resolveGlobals({ color: false, yes: true }, {}).color, false);
  });
});

describe('CommandContext', () => {
  it('reads root options from a subcommand via optsWithGlobals', async () => {
    const ctx = createCommandContext({ env: { AWS_REGION: 'eu-west-1' }, version: '1.2.3', signal: new AbortController().signal, onCancel: () => undefined, io: fakeIo() });
    const program = new Command('svl').option('--local').option('--region <r>').option('--json');
    let seen: unknown;
    program.command('x').action((_o, cmd: Command) => {
      seen = { target: ctx.target(cmd), json: ctx.ui(cmd).json, same: ctx.ui(cmd) === ctx.ui(cmd) };
    });
    await ctx.ready();
    await program.parseAsync(['x', '--local', '--json'], { from: 'user' });
    const s = seen as { target: { kind: string; region: string }; json: boolean; same: boolean };
    assert.equal(s.target.kind, 'local');
    assert.equal(s.target.region, 'us-east-1', 'shell AWS_REGION does not leak into --local');
    assert.equal(s.json, true);
    assert.equal(s.same, true, 'one Ui per command invocation');
  });
});
