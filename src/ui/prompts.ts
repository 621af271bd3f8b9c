/**
 * Prompts ask only for what flags did not supply, and only when someone can answer: never without a
 * TTY on stdin and stderr, never with CI set, --json or --yes. Then a missing required value is a
 * UsageError naming the flag, so scripts fail fast instead of hanging. Prompts render on stderr so that
 * stdout stays clean for results. @inquirer/prompts is imported on first use (it is heavy).
 */
import { CancelledError, UsageError } from '../errors.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface InputQuestion {
  message: string;
  /** The flag that supplies this value, named in the error when we cannot ask. */
  flag: string;
  /** Used as the answer when not interactive; without it, not interactive means UsageError. */
  default?: string;
  validate?: (value: string) => true | string;
  /** An empty answer is allowed (e.g. "empty for none"); default true: a value is required. */
  required?: boolean;
}
export interface ConfirmQuestion {
  message: string;
  flag: string;
  default?: boolean;
}
export interface SelectQuestion<T> {
  message: string;
  flag: string;
  choices: readonly Choice<T>[];
  default?: T;
}
export interface CheckboxQuestion<T> {
  message: string;
  flag: string;
  choices: readonly Choice<T>[];
  /** Answers to use when not interactive (e.g. "all"); without it, not interactive means UsageError. */
  default?: readonly T[];
}
export interface DestructiveQuestion {
  /** The question shown when interactive, e.g. `Delete 3 queues of flow "demo"?` */
  message: string;
  /** Completes "Refusing to <action> without --yes", e.g. `delete 3 queues`. */
  action: string;
  flag?: string;
}

export interface Prompts {
  /** True when prompts will actually be shown. */
  readonly interactive: boolean;
  input(q: InputQuestion): Promise<string>;
  confirm(q: ConfirmQuestion): Promise<boolean>;
  select<T>(q: SelectQuestion<T>): Promise<T>;
  checkbox<T>(q: CheckboxQuestion<T>): Promise<T[]>;
  /** Resolves true (with --yes, or when the user agrees); otherwise throws UsageError or CancelledError. */
  confirmDestructive(q: DestructiveQuestion): Promise<true>;
}

export interface PromptsOptions {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** CI set in the environment. */
  ci: boolean;
  json: boolean;
  yes: boolean;
}

/** Why we will not prompt, or undefined when we may. */
export function whyNotInteractive(o: PromptsOptions): string | undefined {
  if (o.yes) return 'not prompting with --yes';
  if (o.json) return 'not prompting with --json';
  // CI often allocates a pseudo-TTY, but nobody is there to answer.
  if (o.ci || !o.stdin.isTTY || !o.stderr.isTTY) return 'no terminal to ask on';
  return undefined;
}

export function createPrompts(o: PromptsOptions): Prompts {
  const reason = whyNotInteractive(o);
  const context = { input: o.stdin, output: o.stderr };
  const missing = (flag: string) =>
    new UsageError(`Missing ${flag} (${reason})`, { hint: `Pass ${flag} on the command line` });

  return {
    interactive: reason === undefined,

    async input(q) {
      if (reason !== undefined) {
        if (q.default !== undefined) return q.default;
        throw missing(q.flag);
      }
      const { input } = await inquirer();
      return cancellable(input({ message: q.message, default: q.default || undefined, validate: q.validate, required: q.required ?? true }, context));
    },

    async confirm(q) {
      if (reason !== undefined) {
        if (q.default !== undefined) return q.default;
        throw missing(q.flag);
      }
      const { confirm } = await inquirer();
      return cancellable(confirm({ message: q.message, default: q.default }, context));
    },

    async select<T>(q: SelectQuestion<T>): Promise<T> {
      if (reason !== undefined) {
        if (q.default !== undefined) return q.default;
        throw missing(q.flag);
      }
      const { select } = await inquirer();
      return cancellable(select<T>({ message: q.message, choices: [...q.choices], default: q.default }, context));
    },

    async checkbox<T>(q: CheckboxQuestion<T>): Promise<T[]> {
      if (reason !== undefined) {
        if (q.default !== undefined) return [...q.default];
        throw missing(q.flag);
      }
      const { checkbox } = await inquirer();
      const chosen = new Set(q.default ?? []);
      const choices = q.choices.map((c) => ({ ...c, checked: chosen.has(c.value) }));
      return cancellable(checkbox<T>({ message: q.message, choices, required: true }, context));
    },

    async confirmDestructive(q) {
      const flag = q.flag ?? '--yes';
      if (o.yes) return true;
      if (reason !== undefined) {
        throw new UsageError(`Refusing to ${q.action} without ${flag} when not interactive`, {
          hint: `Add ${flag} to confirm`,
        });
      }
      const { confirm } = await inquirer();
      const ok = await cancellable(confirm({ message: q.message, default: false }, context));
      if (!ok) throw new CancelledError(`Did not ${q.action}.`, { hint: 'nothing was changed; run it again and confirm, or pass --yes' });
      return true;
    },
  };
}

function inquirer() {
  return import('@inquirer/prompts');
}

let openPrompts = 0;

/**
 * True while a prompt waits for an answer. After Ctrl-C a command may ask a last question ("Cancel the
 * move task too?"); src/cli.ts does not force the exit under a user who is still answering.
 */
export function promptOpen(): boolean {
  return openPrompts > 0;
}

/** Ctrl-C inside a prompt surfaces as ExitPromptError; it means "cancelled" (exit 130), not a failure. */
async function cancellable<T>(p: Promise<T>): Promise<T> {
  openPrompts++;
  try {
    return await p;
  } catch (err) {
    if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) {
      throw new CancelledError('Cancelled.', { cause: err });
    }
    throw err;
  } finally {
    openPrompts--;
  }
}
