/**
 * What every command receives at registration: access to the global options of the invocation (flags
 * with their environment fallbacks), the Ui built from them, and the target. Built once in src/cli.ts.
 */
import type { Command } from 'commander';
import { resolveTarget, type Target, type TargetFlags } from '../aws/target.js';
import { envFlag, type Env } from '../env.js';
import type { Ui, UiIo } from '../ui/index.js';

type UiModule = typeof import('../ui/index.js');

/** The root program's options as commander parses them (`optsWithGlobals()`). */
export interface GlobalFlags extends TargetFlags {
  json?: boolean;
  yes?: boolean;
  /** false with --no-color. */
  color?: boolean;
  debug?: boolean;
}

/** Output-related globals after environment fallbacks. */
export interface GlobalOptions {
  json: boolean;
  yes: boolean;
  color: boolean;
  debug: boolean;
}

export function resolveGlobals(flags: GlobalFlags, env: Env): GlobalOptions {
  return {
    json: Boolean(flags.json) || envFlag(env, 'SVL_JSON'),
    yes: Boolean(flags.yes),
    color: flags.color !== false,
    debug: Boolean(flags.debug) || envFlag(env, 'SVL_DEBUG'),
  };
}

export interface CommandContext {
  readonly env: Env;
  readonly version: string;
  /** Aborted on Ctrl-C; pass it to long waits (long polls, sleeps) so they end promptly. */
  readonly signal: AbortSignal;
  /** Global options of the running command (`cmd` is the command whose action runs). */
  globals(cmd: Command): GlobalOptions;
  /** The Ui for this invocation, built from the global options. */
  ui(cmd: Command): Ui;
  /** The resolved target; throws UsageError for bad or conflicting flags. */
  target(cmd: Command): Target;
  /**
   * Cleanup to run on Ctrl-C before svl exits with 130 (close servers, flush state). Commands must not
   * install their own SIGINT handlers: src/cli.ts owns the exit.
   */
  onCancel(fn: () => void | Promise<void>): void;
}

export interface ContextDeps {
  env: Env;
  version: string;
  signal: AbortSignal;
  onCancel(fn: () => void | Promise<void>): void;
  io?: UiIo;
}

/**
 * `ready()` loads the Ui module (chalk, prompts, spinner wrappers); src/program.ts awaits it in a
 * preAction hook, so `svl --help` never pays for it while `ctx.ui(cmd)` stays synchronous in actions.
 */
export function createCommandContext(deps: ContextDeps): CommandContext & { ready(): Promise<void> } {
  const uis = new WeakMap<Command, Ui>();
  let uiModule: UiModule | undefined;
  const flagsOf = (cmd: Command) => cmd.optsWithGlobals<GlobalFlags>();
  const ctx: CommandContext & { ready(): Promise<void> } = {
    async ready() {
      uiModule ??= await import('../ui/index.js');
    },
    env: deps.env,
    version: deps.version,
    signal: deps.signal,
    onCancel: deps.onCancel,
    globals: (cmd) => resolveGlobals(flagsOf(cmd), deps.env),
    ui(cmd) {
      let ui = uis.get(cmd);
      if (!ui) {
        if (!uiModule) throw new Error('ctx.ui() called before ctx.ready()');
        ui = uiModule.createUi({ ...ctx.globals(cmd), env: deps.env, io: deps.io });
        uis.set(cmd, ui);
      }
      return ui;
    },
    target(cmd) {
      const { profile, region, endpointUrl, local } = flagsOf(cmd);
      return resolveTarget({ profile, region, endpointUrl, local }, deps.env);
    },
  };
  return ctx;
}
