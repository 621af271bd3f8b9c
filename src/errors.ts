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

/** The user cancelled (Ctrl-C, declined a confirmation): exit code 130. */
export class CancelledError extends SvlError {
  constructor(message = 'Cancelled.', opts: SvlErrorOptions = {}) {
    super(message, 130, { code: 'Cancelled', ...opts });
  }
}
