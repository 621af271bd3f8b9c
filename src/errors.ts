/**
 * Typed errors shared by every command. The exit code is decided from these in src/cli.ts only:
 * 0 ok, 1 operational failure, 2 usage/config error, 130 cancelled.
 */
export type ExitCode = 1 | 2 | 130;

export interface SvlErrorOptions {
  hint?: string;
  /** AWS request id, when the failure came from an AWS (or emulator) response. */
  requestId?: string;
  /** A short machine-readable code, e.g. the AWS error code or `UsageError`. */
  code?: string;
  cause?: unknown;
}

export class SvlError extends Error {
  readonly exitCode: ExitCode;
  readonly hint?: string;
  readonly requestId?: string;
  readonly code: string;

  constructor(message: string, exitCode: ExitCode = 1, opts: SvlErrorOptions = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = opts.hint;
    this.requestId = opts.requestId;
    this.code = opts.code ?? new.target.name;
  }
}

/** Bad flags, bad arguments, bad configuration: exit code 2, and no AWS call was made. */
export class UsageError extends SvlError {
  constructor(message: string, opts: SvlErrorOptions = {}) {
    super(message, 2, { code: 'UsageError', ...opts });
  }
}

/** What a cancelled command had done when it stopped, and how to continue. */
export interface CancelledDetails {
  /** What was done before the stop, as a phrase: "sent 6,540 of 50,000 messages". Printed as `Cancelled: <done>`. */
  done?: string;
  /** The exact command that continues where this one stopped: `svl send q --ndjson f --skip 6540`. */
  resume?: string;
  /** The command's partial result; with --json it is printed on stdout like a full result. */
  partial?: unknown;
}

/**
 * The user cancelled (Ctrl-C, SIGTERM, declined a confirmation): exit code 130. A command that stops at
 * a safe point after `ctx.signal` aborted throws this with what it did (`done`), how to continue
 * (`resume`) and its partial result; src/cli.ts prints them.
 */
export class CancelledError extends SvlError {
  readonly done?: string;
  readonly resume?: string;
  readonly partial?: unknown;

  constructor(message = 'Cancelled.', opts: SvlErrorOptions & CancelledDetails = {}) {
    const { done, resume, partial, ...rest } = opts;
    super(done !== undefined ? `Cancelled: ${done}` : message, 130, {
      code: 'Cancelled',
      ...rest,
      hint: rest.hint ?? (resume !== undefined ? `continue with: ${resume}` : undefined),
    });
    this.done = done;
    this.resume = resume;
    this.partial = partial;
  }
}

/** A command stopped by ctx.signal: what it did, how to continue, and its partial result. */
export function cancelled(details: CancelledDetails & { hint?: string }): CancelledError {
  return new CancelledError('Cancelled.', details);
}
