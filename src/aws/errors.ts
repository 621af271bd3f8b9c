/**
 * Turns whatever an SDK call threw into an SvlError a person can act on: one line of what went wrong,
 * a hint with the next step, the AWS error name as `code` and the request id when AWS (or the emulator)
 * returned one. Pure: inspects the error object's shape, never imports the SDK.
 *
 * The one policy for exit codes of AWS failures: missing configuration (credentials, region) is 2;
 * everything AWS answered - not found included, for every command - is 1. Every error it returns has
 * a hint. It does not decide how errors are printed (src/ui/error.ts) nor add `--local` to hints
 * (src/cli.ts does that for every error).
 */
import { SvlError, type ExitCode } from '../errors.js';
import type { Service, Target } from './target.js';

export interface AwsErrorContext {
  target?: Target;
  /** Which service was called: picks the endpoint named in connection errors. */
  service?: Service;
  /** e.g. `GetQueueUrl`, used in access-denied messages. */
  operation?: string;
  /** What the call was about, e.g. `queue "orders"`, used in not-found messages. */
  resource?: string;
}

interface ErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { requestId?: string; httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  cause?: unknown;
  errors?: unknown[];
}

const NOT_FOUND: Record<string, string> = {
  QueueDoesNotExist: 'Queue',
  'AWS.SimpleQueueService.NonExistentQueue': 'Queue',
  NotFound: 'Topic or subscription',
  NotFoundException: 'Resource',
  ResourceNotFoundException: 'Resource',
};
/** The codes SQS answers when CreateQueue reuses a name within 60 s of DeleteQueue (JSON name, Query code). */
const DELETED_RECENTLY = new Set(['QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently']);
export const isQueueDeletedRecently = (code: string | undefined): boolean => code !== undefined && DELETED_RECENTLY.has(code);

/** AWS's answers to a bad parameter value: the request reached AWS, so exit 1, but the fix is in the input. */
const INVALID_INPUT = new Set([
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterException',
  'InvalidParameterCombination',
  'InvalidAttributeName',
  'InvalidAttributeValue',
  'InvalidParameter',
  'ValidationError',
  'ValidationException',
  'MissingParameter',
  'InvalidRequestContentException',
]);

/** The error codes SQS answers for a queue that does not exist (JSON name, Query code). */
export const isQueueNotFound = (code: string | undefined): boolean => code === 'QueueDoesNotExist' || code === 'AWS.SimpleQueueService.NonExistentQueue';

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError', 'AuthorizationErrorException']);
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'SlowDown',
]);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
]);
const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'];

export function mapAwsError(err: unknown, ctx: AwsErrorContext = {}): SvlError {
  if (err instanceof SvlError) return err;
  const e: ErrorShape = typeof err === 'object' && err !== null ? (err as ErrorShape) : { message: String(err) };
  const name = e.name && e.name !== 'Error' ? e.name : (e.Code ?? e.code ?? 'Error');
  const awsMessage = (e.message ?? '').trim() || name;
  const requestId = e.$metadata?.requestId;
  const make = (message: string, hint?: string, exitCode: ExitCode = 1, code = name) =>
    new SvlError(message, exitCode, { hint, requestId, code, cause: err });
  const where = describeTarget(ctx.target);

  // Missing configuration: nothing reached AWS, so these are config errors (exit 2).
  if (NO_CREDENTIALS.has(name) || /could not load credentials/i.test(awsMessage)) {
    return make(
      `No AWS credentials found${ctx.target?.profile ? ` for profile "${ctx.target.profile}"` : ''}`,
      'configure credentials: aws configure / --profile / AWS_PROFILE, or use --local',
      2,
      'CredentialsProviderError',
    );
  }
  if (/region is missing/i.test(awsMessage)) {
    return make('No AWS region configured', 'pass --region or set AWS_REGION (or use --local)', 2, 'MissingRegion');
  }

  const network = networkCode(e);
  if (network) return networkError(network, ctx, make);

  if (name in NOT_FOUND) {
    // With a named resource the AWS text ("The specified queue does not exist.") adds nothing.
    const message = ctx.resource ? `${capitalise(ctx.resource)} not found${where}` : `${NOT_FOUND[name]} not found${where}: ${awsMessage}`;
    return make(message, 'Check the name, the region (--region) and the target (--local or not)');
  }
  if (DELETED_RECENTLY.has(name)) {
    const what = ctx.resource ? `${capitalise(ctx.resource)} was deleted less than 60 s ago` : 'The queue was deleted less than 60 s ago';
    return make(`${what}${where}: ${awsMessage}`, 'wait 60 s after DeleteQueue before creating a queue with the same name, then retry');
  }
  if (ACCESS_DENIED.has(name)) {
    const op = ctx.operation ? ` to ${ctx.operation}` : '';
    return make(`Access denied${op}${where}: ${awsMessage}`, 'The credentials in use lack an IAM permission; check the policy or use another --profile');
  }
  if (BAD_CREDENTIALS.has(name) || /security token .* (expired|invalid)/i.test(awsMessage)) {
    return make(`AWS rejected the credentials: ${awsMessage}`, 'Refresh them (e.g. aws sso login) or pick another --profile');
  }
  if (THROTTLING.has(name) || e.$retryable?.throttling) {
    return make(`AWS is throttling requests${where}: ${awsMessage}`, 'Wait a moment and retry, or lower the concurrency');
  }
  if (INVALID_INPUT.has(name)) {
    return make(awsMessage, `${ctx.operation ? `${ctx.operation} refused a value` : 'A value was refused'}${where}; check the names and options passed (--debug shows the request)`);
  }
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) {
    return make(`${awsMessage}${where} (${name}, HTTP ${status})`, 'The service failed on its side; retry in a moment (--debug shows the details)');
  }
  return make(awsMessage, `AWS answered ${name}${ctx.operation ? ` to ${ctx.operation}` : ''}; rerun with --debug for the full response`);
}

type Make = (message: string, hint?: string, exitCode?: ExitCode, code?: string) => SvlError;

function networkError(code: string, ctx: AwsErrorContext, make: Make): SvlError {
  const endpoint = endpointOf(ctx);
  if (ctx.target?.kind === 'local') {
    return code === 'ECONNREFUSED'
      ? make(`The local emulator is not running on ${endpoint}`, 'start it with `svl local start`', 1, code)
      : make(`Could not reach the local emulator on ${endpoint} (${code})`, 'check it with `svl local status`', 1, code);
  }
  const at = endpoint ?? 'AWS';
  if (code === 'ECONNREFUSED') {
    return make(`Connection refused by ${at}`, 'Check --endpoint-url / AWS_ENDPOINT_URL, or that the service there is running', 1, code);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return make(`Could not resolve the host of ${at} (${code})`, 'Check your network, the region and any --endpoint-url', 1, code);
  }
  return make(`Network error talking to ${at} (${code})`, 'Check your network and retry', 1, code);
}

/** Node puts the code on the error, on its cause, or (happy eyeballs) on each of an AggregateError's errors. */
function networkCode(e: ErrorShape, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  if (e.code && NETWORK_CODES.includes(e.code)) return e.code;
  if (e.name === 'TimeoutError' && !e.$metadata?.httpStatusCode) return 'ETIMEDOUT';
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    if (typeof inner === 'object' && inner !== null) {
      const found = networkCode(inner as ErrorShape, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function endpointOf(ctx: AwsErrorContext): string | undefined {
  const eps = ctx.target?.endpoints ?? {};
  return (ctx.service ? eps[ctx.service] : undefined) ?? eps.sqs ?? eps.sns ?? eps.lambda;
}

/** Where a resource was looked for, for messages: ' (local emulator)', ' in eu-west-1' or ''. */
export function describeTarget(target: Target | undefined): string {
  if (!target) return '';
  if (target.kind === 'local') return ' (local emulator)';
  return target.region ? ` in ${target.region}` : '';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
