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
import { writeOut } from './ui/write.js';
import { readVersion } from './version.js';

export async function main(argv: readonly string[], env: Env): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    writeOut(`${readVersion()}\n`);
    return 0;
  }
  const cancel = new AbortController();
  const cleanups: Array<() => void | Promise<void>> = [];

  // Ctrl-C: run the cleanups commands registered (ctx.onCancel), then exit 130. A second Ctrl-C does not wait.
  process.once('SIGINT', () => {
    cancel.abort(new CancelledError());
    process.once('SIGINT', () => process.exit(130));
    void Promise.allSettled(cleanups.map(async (fn) => fn())).then(() => process.exit(130));
  });

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
    return report(err, argv, env);
  }
}

async function report(err: unknown, argv: readonly string[], env: Env): Promise<number> {
  const e = await toSvlError(err);
  const flags = errorOutputFlags(argv, env);
  const { printError, createStyle, colorLevel } = await import('./ui/index.js');
  printError(
    { code: e.code, message: e.message, hint: e.hint, requestId: e.requestId, exitCode: e.exitCode, stack: stackOf(e) },
    { json: flags.json, debug: flags.debug, style: createStyle(colorLevel(process.stderr, env, flags.color)) },
  );
  return e.exitCode;
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
  return new SvlError(e.message || e.name, 1, {
    code: e.name && e.name !== 'Error' ? e.name : 'InternalError',
    hint: 'This looks like a bug in svl; rerun with --debug for the stack trace',
    cause: err,
  });
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
