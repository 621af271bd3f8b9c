/**
 * Entry point and the ONE error boundary: every failure ends here, is printed by src/ui, and becomes
 * the exit code - 0 ok, 1 operational failure, 2 usage/config error, 130 cancelled. Nothing else in
 * src/ calls process.exit or sets process.exitCode.
 *
 * Start-up time matters (svl is run in loops and scripts), so this module imports almost nothing:
 * `--version` answers before commander loads, and the Ui, the SDK error mapping and command code are
 * imported only on the paths that need them.
 */
import { envFlag, type Env } from './env.js';
import { CancelledError, SvlError } from './errors.js';
import { fallbackHint, withLocalFlag } from './hint.js';
import { writeErr, writeOut } from './ui/write.js';
import { readVersion } from './version.js';

export async function main(argv: readonly string[], env: Env): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    writeOut(`${readVersion()}\n`);
    return 0;
  }
  const cancel = new AbortController();
  const cleanups: Array<() => void | Promise<void>> = [];
  const stopSignals = watchStopSignals(cancel, cleanups, env);

  try {
    // Only the invoked command's module is loaded (in parallel with commander): start-up stays fast.
    const [{ buildProgram, CommanderExit }, { createCommandContext }, invoked] = await Promise.all([
      import('./program.js'),
      import('./commands/context.js'),
      import('./commands/index.js').then((m) => m.loadInvoked(argv)),
    ]);
    const ctx = createCommandContext({
      env,
      version: readVersion(),
      signal: cancel.signal,
      onCancel: (fn) => void cleanups.push(fn),
    });
    try {
      await buildProgram(ctx, invoked).parseAsync(argv, { from: 'user' });
    } catch (err) {
      if (err instanceof CommanderExit) return err.exitCode;
      throw err;
    }
    return 0;
  } catch (err) {
    return report(err, argv, env, cancel.signal);
  } finally {
    stopSignals.dispose();
  }
}

/** How long a cancelled command gets to reach a safe point and say what it did before svl exits anyway. */
const DEFAULT_GRACE_MS = 5000;
/** On a forced exit, how long the registered cleanups (tap removal, …) may take. */
const FORCED_CLEANUP_MS = 2000;

/**
 * SIGINT (Ctrl-C) and SIGTERM abort ctx.signal: commands stop at a safe point and throw a CancelledError
 * saying what they did, which report() prints (exit 130). A second signal, or a command still running
 * after the grace period (`SVL_CANCEL_GRACE_MS`, default 5 s), runs the cleanups commands registered
 * with ctx.onCancel (bounded) and exits 130 at once.
 */
function watchStopSignals(cancel: AbortController, cleanups: Array<() => void | Promise<void>>, env: Env) {
  let grace: NodeJS.Timeout | undefined;
  const forceExit = () => {
    const bound = new Promise((resolve) => setTimeout(resolve, FORCED_CLEANUP_MS).unref());
    void Promise.race([Promise.allSettled(cleanups.map(async (fn) => fn())), bound]).then(() => process.exit(130));
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (cancel.signal.aborted) return forceExit();
    // Said at once, so a user (or a test) knows the signal was heard while the command reaches a safe point.
    writeErr(`Stopping at a safe point… (${sig === 'SIGINT' ? 'Ctrl-C' : sig} again to quit at once)\n`);
    cancel.abort(new CancelledError(sig === 'SIGTERM' ? 'Terminated.' : 'Cancelled.'));
    const ms = Number(env.SVL_CANCEL_GRACE_MS);
    const graceMs = Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_GRACE_MS;
    // A question asked after the signal ("Cancel the move task too?") is not cut off under the user.
    const expire = async () => {
      const { promptOpen } = await import('./ui/prompts.js');
      if (promptOpen()) grace = setTimeout(() => void expire(), graceMs);
      else forceExit();
    };
    grace = setTimeout(() => void expire(), graceMs);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    /** The command has returned: the grace timer must not keep the process alive nor exit it early. */
    dispose() {
      if (grace) clearTimeout(grace);
    },
  };
}

async function report(err: unknown, argv: readonly string[], env: Env, signal: AbortSignal): Promise<number> {
  // Whatever a command threw after Ctrl-C (an aborted SDK call, an AbortError) is a cancellation.
  const e = signal.aborted && !(err instanceof CancelledError) ? interrupted(err, signal) : await toSvlError(err);
  const flags = errorOutputFlags(argv, env);
  // Every error gets a Hint line; its svl commands keep --local when this one ran with it.
  let hint = e.hint ?? fallbackHint(e.exitCode, argv);
  if (flags.local) hint = withLocalFlag(hint, (await import('./commands/index.js')).commands.map((c) => c.name));
  const { printError, createStyle, colorLevel } = await import('./ui/index.js');
  // --json: a cancelled command's partial result goes to stdout like a full result would.
  if (flags.json && e instanceof CancelledError && e.partial !== undefined) writeOut(`${JSON.stringify(e.partial, null, 2)}\n`);
  printError(
    { code: e.code, message: e.message, hint, requestId: e.requestId, exitCode: e.exitCode, stack: stackOf(e) },
    { json: flags.json, debug: flags.debug, style: createStyle(colorLevel(process.stderr, env, flags.color)) },
  );
  return e.exitCode;
}

function interrupted(err: unknown, signal: AbortSignal): CancelledError {
  const reason = signal.reason instanceof CancelledError ? signal.reason : new CancelledError();
  return new CancelledError(reason.message, {
    hint: 'it stopped before finishing; check what it changed before running it again',
    cause: err,
  });
}

/** Anything thrown becomes an SvlError; AWS SDK errors that escaped a command get the generic mapping. */
async function toSvlError(err: unknown): Promise<SvlError> {
  if (err instanceof SvlError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  if (e.name === 'ExitPromptError' || e.name === 'AbortPromptError') return new CancelledError('Cancelled.', { cause: err });
  if ('$metadata' in e || e.name === 'CredentialsProviderError' || /region is missing/i.test(e.message)) {
    const { mapAwsError } = await import('./aws/errors.js');
    return mapAwsError(err);
  }
  // The operating system refused something (a file, a socket): not a bug in svl, and the path says where.
  const sys = e as NodeJS.ErrnoException;
  if (typeof sys.code === 'string' && /^E[A-Z]+$/.test(sys.code) && typeof sys.syscall === 'string') {
    return new SvlError(e.message, 1, { code: sys.code, hint: systemHint(sys.code), cause: err });
  }
  return new SvlError(e.message || e.name, 1, {
    code: e.name && e.name !== 'Error' ? e.name : 'InternalError',
    hint: 'This looks like a bug in svl; rerun with --debug for the stack trace',
    cause: err,
  });
}

function systemHint(code: string): string {
  if (code === 'ENOENT') return 'check the path: it does not exist';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'check the permissions of the path, or use another one';
  if (code === 'ENOSPC') return 'free some disk space and retry';
  if (code === 'EADDRINUSE') return 'pick another --port';
  return 'check the path or address named above, then retry (--debug shows where it failed)';
}

/**
 * --json/--debug/--no-color decide how errors look, including errors raised before commander has
 * parsed them (e.g. `svl bogus --json`), so the error path reads them from argv directly.
 */
function errorOutputFlags(argv: readonly string[], env: Env) {
  const end = argv.indexOf('--');
  const args = end === -1 ? argv : argv.slice(0, end);
  return {
    json: args.includes('--json') || envFlag(env, 'SVL_JSON'),
    debug: args.includes('--debug') || envFlag(env, 'SVL_DEBUG'),
    color: !args.includes('--no-color'),
    local: args.includes('--local'),
  };
}

/** With --debug, the stack of the original error (an AWS exception, a bug) says more than our wrapper's. */
function stackOf(e: SvlError): string | undefined {
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error && cause.stack ? cause.stack : e.stack;
}

// `svl … | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2), process.env);
