/**
 * An error an AWS service returns, as the emulator raises it and as `svl filter` reports AWS validation
 * failures. Emulator services throw these; protocol codecs render them
 * (JSON 1.0 `__type` + `x-amzn-query-error`, Query `<ErrorResponse>`, REST-JSON).
 */
export interface AwsErrorOptions {
  /** HTTP status; AWS uses 400 for almost every client error. */
  status?: number;
  /** The legacy Query error code (SQS: e.g. `AWS.SimpleQueueService.NonExistentQueue`). Defaults to `code`. */
  queryCode?: string;
  /** `Sender` (client fault) or `Receiver` (server fault). */
  fault?: 'Sender' | 'Receiver';
  /** Shape namespace for JSON `__type`, e.g. `com.amazonaws.sqs`. */
  namespace?: string;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly queryCode: string;
  readonly fault: 'Sender' | 'Receiver';
  readonly namespace?: string;

  constructor(code: string, message: string, opts: AwsErrorOptions = {}) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = opts.status ?? 400;
    this.queryCode = opts.queryCode ?? code;
    this.fault = opts.fault ?? 'Sender';
    this.namespace = opts.namespace;
  }
}
