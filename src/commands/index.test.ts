import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, Help } from 'commander';
import { commands, invokedCommand, loadInvoked } from './index.js';
import { createCommandContext } from './context.js';

const ctx = createCommandContext({ env: {}, version: '0.0.0', signal: new AbortController().signal, onCancel: () => undefined });

test('the registry matches the modules: usage line and description of every command', async () => {
  for (const e of commands) {
    const invoked = await loadInvoked([e.name]);
    assert.ok(invoked, e.name);
    const program = new Command('svl');
    invoked.module.register(program, ctx);
    const cmd = program.commands.find((c) => c.name() === e.name);
    assert.ok(cmd, `module ${e.module} registers ${e.name}`);
    if (e.name === invoked.module.name) assert.equal(invoked.module.description, e.description, `${e.name} description`);
    else assert.equal(cmd.description(), e.description, `${e.name} description`);
    assert.equal(new Help().subcommandTerm(cmd), e.usage, `${e.name} usage line`);
  }
});

test('invokedCommand finds the command word after global options, and the one after `help`', () => {
  assert.equal(invokedCommand(['init', 'fanout'])?.name, 'init');
  assert.equal(invokedCommand(['--profile', 'prod', '--region', 'eu-west-1', 'status', 'orders'])?.name, 'status');
  assert.equal(invokedCommand(['--json', '--local', 'plan'])?.module, 'apply');
  assert.equal(invokedCommand(['help', 'dlq'])?.name, 'dlq');
  assert.equal(invokedCommand(['--help']), undefined);
  assert.equal(invokedCommand(['--', 'init']), undefined);
  assert.equal(invokedCommand(['nosuch']), undefined);
});
