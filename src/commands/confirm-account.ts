/**
 * Before init/apply change anything in a real AWS account, say which account (STS GetCallerIdentity)
 * and region, and ask. Not asked for the emulator (--local) nor when svl was given an endpoint
 * (--endpoint-url, SVL_ENDPOINT_URL, AWS_ENDPOINT_URL…): that is an emulator or a proxy the user named.
 * `--yes` skips the question; without a terminal and without --yes it refuses (DESIGN.md's rule for
 * destructive actions). It does not decide what changes (the plan does) and never calls the emulator.
 */
import type { Target } from '../aws/target.js';
import type { Ui } from '../ui/index.js';
import { stsSdk } from '../aws/sdk.js';

/** Whether a change on `target` needs the account question: real AWS, with the SDK's own endpoints. */
export function needsAccountConfirmation(target: Target): boolean {
  return target.kind === 'aws' && Object.keys(target.endpoints).length === 0;
}

export interface AccountIdentity {
  account?: string;
  arn?: string;
  region: string;
  /** Why the account is unknown (GetCallerIdentity failed). */
  problem?: string;
}

/** The account and region the SDK will use for `target` (GetCallerIdentity; its failure is reported, not thrown). */
async function callerIdentity(target: Target): Promise<AccountIdentity> {
  const { getSts } = await import('../aws/clients.js');
  const sts = await getSts(target);
  const region = await sts.config.region().catch(() => target.region ?? '(no region)');
  try {
    const { GetCallerIdentityCommand } = stsSdk();
    const id = await sts.send(new GetCallerIdentityCommand({}));
    return { account: id.Account, arn: id.Arn, region };
  } catch (err) {
    return { region, problem: `STS GetCallerIdentity failed: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** The question's wording, e.g. `Create 7 resource(s) in AWS account 123456789012 (arn:…) in eu-west-3?` */
export function accountQuestion(id: AccountIdentity, what: string): string {
  const who = id.account ? `AWS account ${id.account}${id.arn ? ` (${id.arn})` : ''}` : `an AWS account that could not be identified (${id.problem})`;
  return `${what} in ${who}, region ${id.region}?`;
}

/**
 * Asks (when needed) before `what` (e.g. `Apply 7 change(s)`) happens on `target`. Resolves when it may
 * go ahead; throws UsageError (not interactive, no --yes) or CancelledError (declined).
 */
export async function confirmAccount(target: Target, ui: Pick<Ui, 'ask'>, what: string): Promise<void> {
  if (!needsAccountConfirmation(target)) return;
  // With --yes (or no terminal) nothing is shown: confirmDestructive goes ahead with --yes, refuses without.
  if (!ui.ask.interactive) {
    await ui.ask.confirmDestructive({ message: what, action: `${what.charAt(0).toLowerCase()}${what.slice(1)} in an AWS account`, flag: '--yes' });
    return;
  }
  const id = await callerIdentity(target);
  await ui.ask.confirmDestructive({ message: accountQuestion(id, what), action: `${what.charAt(0).toLowerCase()}${what.slice(1)} in ${id.account ? `AWS account ${id.account}` : 'an AWS account'}`, flag: '--yes' });
}
