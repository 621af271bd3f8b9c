/** Lambda limits and defaults (AWS quotas page and aws-wire.md §5). */
export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';

export const DEFAULT_TIMEOUT = 3;
export const MAX_TIMEOUT = 900;
export const DEFAULT_MEMORY = 128;
export const MIN_MEMORY = 128;
export const MAX_MEMORY = 10_240;
export const DEFAULT_EPHEMERAL_STORAGE = 512;

/** Synchronous request and response payloads: 6 MB. */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
/** The response limit AWS names in Function.ResponseSizeTooLarge (6 MB plus 100 bytes). */
export const MAX_RESPONSE_PAYLOAD = 6_291_556;
/** Asynchronous (Event) payloads: 1 MB since the 2025 increase (was 256 KB). */
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;
/** Direct-upload zip (ZipFile) in CreateFunction/UpdateFunctionCode: the 70,167,211-byte request limit. */
export const MAX_REQUEST_BYTES = 70_167_211;
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 262_144_000;
/** Environment variables: 4 KB in total. */
export const MAX_ENV_BYTES = 4096;
export const MAX_CLIENT_CONTEXT_BYTES = 3583;
/** X-Amz-Log-Result: the last 4 KB of the invocation log. */
export const LOG_TAIL_BYTES = 4096;
export const MAX_TAGS = 50;
export const LIST_PAGE = 50;

/** Async invocation: retries, back-off (AWS: ~1 min after the first failure, ~2 min after the second), event age. */
export const DEFAULT_MAX_RETRIES = 2;
export const RETRY_DELAYS_MS = [60_000, 120_000];
export const DEFAULT_MAX_EVENT_AGE = 21_600;
export const MIN_MAX_EVENT_AGE = 60;

/** Event source mappings (SQS). */
export const ESM_DEFAULT_BATCH = 10;
export const ESM_MAX_BATCH_STANDARD = 10_000;
export const ESM_MAX_BATCH_FIFO = 10;
export const ESM_MAX_WINDOW = 300;
export const ESM_MIN_CONCURRENCY = 2;
export const ESM_MAX_CONCURRENCY = 1000;
/** Pollers per mapping when ScalingConfig says nothing (AWS starts five pollers for an SQS queue). */
export const ESM_DEFAULT_POLLERS = 5;

/** How many handler processes one function may run at once (the emulator's bound, not an AWS quota). */
export const DEFAULT_PROCESS_LIMIT = 10;
/** A handler process idle this long is stopped (AWS recycles idle execution environments after some minutes). */
export const IDLE_PROCESS_MS = 5 * 60_000;
/** AWS limits the init phase of on-demand functions to 10 s. */
export const INIT_TIMEOUT_MS = 10_000;
/** Invocation logs kept per function for `svl logs`. */
export const LOGS_KEPT_PER_FUNCTION = 1000;

/** Runtimes svl can run: one list, shared with the CLI (src/domain/runtimes.ts). */
export { NODE_RUNTIMES, PYTHON_RUNTIMES, SUPPORTED_RUNTIMES } from '../../domain/runtimes.js';

/** Environment variable names a function may not set (AWS reserved keys). */
export const RESERVED_ENV_KEYS = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);


/**
 * The event source mapping operations (esm/mappings.ts types its table by this list): the service answers
 * them before that module is loaded, and the first of them loads it (service.ts, `eventSourceMappings`).
 */
export const ESM_OPERATIONS = [
  'CreateEventSourceMapping',
  'GetEventSourceMapping',
  'ListEventSourceMappings',
  'UpdateEventSourceMapping',
  'DeleteEventSourceMapping',
] as const;
