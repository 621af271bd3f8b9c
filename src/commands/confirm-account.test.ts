import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTarget } from '../aws/target.js';
import { CancelledError, UsageError } from '../errors.js';
import type { Prompts } from '../ui/prompts.js';
import { accountQuestion, confirmAccount, needsAccountConfirmation } from './confirm-account.js';

const target = (flags: Parameters<typeof resolveTarget>[0], env: Record<string, string> = {}) => resolveTarget(flags, env);

describe('when init/apply ask before changing an account', () => {
  it('asks for AWS with the SDK endpoints (default, profile, region)', () => {
    assert.equal(needsAccountConfirmation(target({})), true);
    assert.equal(needsAccountConfirmation(target({ profile: 'prod', region: 'eu-west-3' })), true);
    assert.equal(needsAccountConfirmation(target({}, { AWS_REGION: 'eu-west-1', AWS_PROFILE: 'x' })), true);
  });

  it('does not ask for the emulator (--local, SVL_LOCAL) nor for an endpoint svl was given', () => {
    assert.equal(needsAccountConfirmation(target({ local: true })), false);
    assert.equal(needsAccountConfirmation(target({}, { SVL_LOCAL: '1' })), false);
    assert.equal(needsAccountConfirmation(target({ endpointUrl: 'http://localhost:4566' })), false);
    assert.equal(needsAccountConfirmation(target({}, { AWS_ENDPOINT_URL: 'http://proxy.internal:8080' })), false);
    assert.equal(needsAccountConfirmation(target({}, { SVL_ENDPOINT_URL: 'http://127.0.0.1:4566' })), false);
  });

  it('the question names the account and region, or why the account is unknown', () => {
    assert.equal(accountQuestion({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/ana', region: 'eu-west-3' }, 'Apply 3 change(s) of flow f'), 'Apply 3 change(s) of flow f in AWS account 123456789012 (arn:aws:iam::123456789012:user/ana), region eu-west-3?');
    assert.match(accountQuestion({ region: 'us-east-1', problem: 'STS GetCallerIdentity failed: denied' }, 'Apply 1 change(s) of flow f'), /an AWS account that could not be identified \(STS GetCallerIdentity failed: denied\), region us-east-1\?$/);
  });

  it('never prompts or calls STS for the emulator; refuses without a terminal and --yes; goes ahead with --yes', async () => {
    const calls: string[] = [];
    const ask = (interactive: boolean, yes: boolean): Pick<Prompts, 'interactive' | 'confirmDestructive'> => ({
      interactive,
      async confirmDestructive(q) {
        calls.push(q.message);
        if (yes) return true;
        if (!interactive) throw new UsageError(`Refusing to ${q.action} without --yes when not interactive`);
        throw new CancelledError();
      },
    });
    await confirmAccount(target({ local: true }), { ask: ask(false, false) as Prompts }, 'Apply 1 change(s) of flow f');
    assert.deepEqual(calls, []);
    await assert.rejects(confirmAccount(target({ region: 'us-east-1' }), { ask: ask(false, false) as Prompts }, 'Apply 1 change(s) of flow f'), /Refusing to apply 1 change\(s\) of flow f in an AWS account without --yes/);
    await confirmAccount(target({ region: 'us-east-1' }), { ask: ask(false, true) as Prompts }, 'Apply 1 change(s) of flow f');
    assert.equal(calls.length, 2);
  });
});
