/** Functions: Create/Get/GetConfiguration/List/UpdateCode/UpdateConfiguration/Delete and tags. */
import * as E from './errors.js';
import type { LambdaContext, LambdaHandler, LambdaService } from './service.js';
import {
  arnService,
  codeSha256,
  newRevisionId,
  optBool,
  optInt,
  optObject,
  optString,
  parseFunctionName,
  renderConfiguration,
  reqString,
  validateEnvironment,
  validateNewFunctionName,
  validateRole,
  type FunctionConfig,
  type Input,
  type LambdaFunction,
  type Output,
} from './model.js';
import { readZip, ZipError } from '../../domain/zip.js';
import {
  DEFAULT_EPHEMERAL_STORAGE,
  DEFAULT_MEMORY,
  DEFAULT_TIMEOUT,
  LIST_PAGE,
  MAX_MEMORY,
  MAX_REQUEST_BYTES,
  MAX_TAGS,
  MAX_TIMEOUT,
  MAX_UNZIPPED_BYTES,
  MAX_ZIP_BYTES,
  MIN_MEMORY,
  SUPPORTED_RUNTIMES,
} from './constants.js';

const RUNTIME_ENUM = `Member must satisfy enum value set: [${SUPPORTED_RUNTIMES.join(', ')}] or be a valid ARN`;

export function functionOperations(svc: LambdaService): Record<string, LambdaHandler> {
  return {
    CreateFunction: (i) => createFunction(svc, i),
    GetFunction(i, ctx) {
      const fn = svc.requireFunction(i.FunctionName, i.Qualifier);
      const out: Output = {
        Configuration: renderConfiguration(fn),
        Code: { RepositoryType: 'S3', Location: `${ctx.baseUrl}/_svl/lambda/code/${encodeURIComponent(fn.name)}?sha256=${encodeURIComponent(fn.codeSha256)}` },
      };
      if (Object.keys(fn.tags).length) out.Tags = { ...fn.tags };
      return out;
    },
    GetFunctionConfiguration: (i) => renderConfiguration(svc.requireFunction(i.FunctionName, i.Qualifier)),
    ListFunctions: (i) => listFunctions(svc, i),
    UpdateFunctionCode: (i) => updateFunctionCode(svc, i),
    UpdateFunctionConfiguration: (i) => updateFunctionConfiguration(svc, i),
    DeleteFunction(i) {
      const ref = parseFunctionName(i.FunctionName);
      const q = i.Qualifier ?? ref.qualifier;
      if (q === '$LATEST') throw E.invalidParameterValue('$LATEST version cannot be deleted without deleting the function.');
      const fn = svc.requireFunction(i.FunctionName, i.Qualifier);
      svc.store.delete(fn.name);
      svc.async.forgetFunction(fn.name);
      svc.runtime.retire(fn.name, true);
      svc.log(`λ delete ${fn.name}`);
      return {};
    },
    TagResource(i) {
      const fn = functionFromResource(svc, i.Resource);
      const tags = tagMap(i.Tags);
      const next = { ...fn.tags, ...tags };
      if (Object.keys(next).length > MAX_TAGS) throw E.invalidParameterValue(`Number of tags exceeds resource tag limit.`);
      svc.store.save({ ...fn, tags: next });
      return {};
    },
    UntagResource(i) {
      const fn = functionFromResource(svc, i.Resource);
      const keys = i.TagKeys;
      if (!Array.isArray(keys) || keys.length === 0) throw E.constraint(null, 'tagKeys', 'Member must not be null');
      const next = { ...fn.tags };
      for (const k of keys) delete next[String(k)];
      svc.store.save({ ...fn, tags: next });
      return {};
    },
    ListTags: (i) => ({ Tags: { ...functionFromResource(svc, i.Resource).tags } }),
  };
}

function functionFromResource(svc: LambdaService, resource: unknown): LambdaFunction {
  const arn = String(resource ?? '');
  const m = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_]+)$/.exec(arn);
  if (!m) throw E.constraint(arn, 'resource', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:[a-zA-Z0-9-_]+|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})');
  const fn = svc.store.get(m[3]!);
  if (!fn || m[1] !== svc.region || m[2] !== svc.account) throw E.functionNotFound(arn);
  return fn;
}

function tagMap(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) throw E.constraint(null, 'tags', 'Member must not be null');
  if (typeof raw !== 'object' || Array.isArray(raw)) throw E.invalidParameterValue('Tags must be a map.');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k.length < 1 || k.length > 128) throw E.invalidParameterValue('Tag keys must be between 1 and 128 characters in length.');
    if (k.toLowerCase().startsWith('aws:')) throw E.invalidParameterValue(`Tag keys cannot start with the reserved prefix 'aws:'.`);
    if (typeof v !== 'string' || v.length > 256) throw E.invalidParameterValue('Tag values must be strings of at most 256 characters.');
    out[k] = v;
  }
  return out;
}

/** Decodes and checks Code.ZipFile (base64 in JSON); AWS's text for a package it cannot unzip. */
function decodeZip(raw: unknown): Buffer {
  if (typeof raw !== 'string') throw E.invalidParameterValue('ZipFile must be base64-encoded bytes.');
  const zip = Buffer.from(raw, 'base64');
  if (zip.length > MAX_ZIP_BYTES) throw E.requestTooLarge(`Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the CreateFunction operation`);
  const unzipErr = E.invalidParameterValue('Could not unzip uploaded file. Please check your file, then try to upload again.');
  let total = 0;
  try {
    for (const e of readZip(zip)) total += e.size;
  } catch (err) {
    if (err instanceof ZipError) throw unzipErr;
    throw err;
  }
  if (total > MAX_UNZIPPED_BYTES) throw E.invalidParameterValue(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
  return zip;
}

function codeFrom(input: Input, op: 'CreateFunction' | 'UpdateFunctionCode'): Buffer {
  const code = op === 'CreateFunction' ? optObject(input, 'Code') : input;
  if (op === 'CreateFunction' && !code) throw E.constraint(null, 'code', 'Member must not be null');
  const c = code!;
  if (c.S3Bucket !== undefined || c.S3Key !== undefined) {
    throw E.invalidParameterValue('svl emulator: Code.S3Bucket/S3Key is not supported (the emulator has no S3); upload the package as ZipFile.');
  }
  if (c.ImageUri !== undefined) throw E.invalidParameterValue('svl emulator: container images (ImageUri) are not supported.');
  if (c.ZipFile === undefined || c.ZipFile === null) {
    throw E.invalidParameterValue(op === 'CreateFunction' ? 'Please provide a source for function code.' : 'Please do not provide other FunctionCode parameters when providing a ZipFile.');
  }
  return decodeZip(c.ZipFile);
}

function checkRuntime(runtime: string): void {
  if (!SUPPORTED_RUNTIMES.includes(runtime)) throw E.invalidParameterValue(`Value ${runtime} at 'runtime' failed to satisfy constraint: ${RUNTIME_ENUM}`);
}

function checkHandler(handler: string): void {
  if (handler.length > 128 || !/^[^\s]+$/.test(handler)) throw E.constraint(handler, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+');
}

function deadLetterArn(input: Input): string | undefined {
  const dlc = optObject(input, 'DeadLetterConfig');
  if (!dlc) return undefined;
  const arn = dlc.TargetArn;
  if (arn === undefined || arn === null || arn === '') return '';
  const kind = typeof arn === 'string' ? arnService(arn) : undefined;
  if (kind !== 'sqs' && kind !== 'sns') {
    throw E.invalidParameterValue(`The provided target arn ${String(arn)} is invalid. The dead-letter target must be an SQS queue or an SNS topic ARN.`);
  }
  return arn as string;
}

function unsupported(input: Input): void {
  if (input.Publish === true) throw E.invalidParameterValue('svl emulator: versions are not supported (Publish must be false).');
  if (Array.isArray(input.Layers) && input.Layers.length) throw E.invalidParameterValue('svl emulator: layers are not supported.');
  if (input.PackageType !== undefined && input.PackageType !== 'Zip') throw E.invalidParameterValue('svl emulator: only PackageType Zip is supported.');
  if (input.VpcConfig && Object.keys(input.VpcConfig as object).length) throw E.invalidParameterValue('svl emulator: VpcConfig is not supported.');
}

/** The configuration fields CreateFunction and UpdateFunctionConfiguration share, validated in AWS's order. */
function configFields(input: Input, base: FunctionConfig | undefined): FunctionConfig {
  const role = optString(input, 'Role');
  if (role !== undefined) validateRole(role);
  const runtime = optString(input, 'Runtime');
  if (runtime !== undefined) checkRuntime(runtime);
  const handler = optString(input, 'Handler');
  if (handler !== undefined) checkHandler(handler);
  const description = optString(input, 'Description');
  if (description !== undefined && description.length > 256) throw E.constraint(description, 'description', 'Member must have length less than or equal to 256');
  const timeout = optInt(input, 'Timeout', 'timeout', 1, MAX_TIMEOUT);
  const memory = optInt(input, 'MemorySize', 'memorySize', MIN_MEMORY, MAX_MEMORY);
  const env = validateEnvironment(optObject(input, 'Environment'));
  const dlq = deadLetterArn(input);
  const tracing = optObject(input, 'TracingConfig')?.Mode;
  if (tracing !== undefined && tracing !== 'Active' && tracing !== 'PassThrough') throw E.constraint(tracing, 'tracingConfig.mode', 'Member must satisfy enum value set: [Active, PassThrough]');
  const arch = input.Architectures;
  if (arch !== undefined && (!Array.isArray(arch) || arch.length !== 1 || (arch[0] !== 'x86_64' && arch[0] !== 'arm64'))) {
    throw E.constraint(JSON.stringify(arch), 'architectures', 'Member must have length less than or equal to 1, Member must satisfy enum value set: [x86_64, arm64]');
  }
  const storage = optObject(input, 'EphemeralStorage')?.Size;
  if (storage !== undefined && (typeof storage !== 'number' || !Number.isInteger(storage) || storage < 512 || storage > 10_240)) {
    throw E.constraint(String(storage), 'ephemeralStorage.size', 'Member must have value between 512 and 10240');
  }
  const logging = optObject(input, 'LoggingConfig');
  if (logging?.LogFormat !== undefined && logging.LogFormat !== 'Text' && logging.LogFormat !== 'JSON') throw E.constraint(logging.LogFormat, 'loggingConfig.logFormat', 'Member must satisfy enum value set: [JSON, Text]');
  const next: FunctionConfig = {
    Runtime: runtime ?? base?.Runtime ?? '',
    Role: role ?? base?.Role ?? '',
    Handler: handler ?? base?.Handler ?? '',
    Description: description ?? base?.Description ?? '',
    Timeout: timeout ?? base?.Timeout ?? DEFAULT_TIMEOUT,
    MemorySize: memory ?? base?.MemorySize ?? DEFAULT_MEMORY,
    Environment: env ?? base?.Environment ?? {},
    DeadLetterTargetArn: dlq === undefined ? base?.DeadLetterTargetArn : dlq || undefined,
    Architectures: (arch as string[] | undefined) ?? base?.Architectures ?? ['x86_64'],
    EphemeralStorage: (storage as number | undefined) ?? base?.EphemeralStorage ?? DEFAULT_EPHEMERAL_STORAGE,
    TracingMode: (tracing as string | undefined) ?? base?.TracingMode ?? 'PassThrough',
    LogFormat: (logging?.LogFormat as string | undefined) ?? base?.LogFormat ?? 'Text',
    LogGroup: (logging?.LogGroup as string | undefined) ?? base?.LogGroup,
  };
  return next;
}

function createFunction(svc: LambdaService, input: Input): Output {
  const rawName = reqString(input, 'FunctionName', 'functionName');
  const ref = parseFunctionName(rawName);
  if (ref.qualifier !== undefined) throw E.invalidParameterValue('Unsupported FunctionName: a qualifier is not allowed when creating a function.');
  validateNewFunctionName(ref.name);
  const role = reqString(input, 'Role', 'role');
  validateRole(role);
  unsupported(input);
  const zip = codeFrom(input, 'CreateFunction');
  if (input.Runtime === undefined || input.Runtime === null || input.Handler === undefined || input.Handler === null) {
    throw E.invalidParameterValue('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
  }
  const config = configFields(input, undefined);
  const tags = input.Tags === undefined || input.Tags === null ? {} : tagMap(input.Tags);
  if (Object.keys(tags).length > MAX_TAGS) throw E.invalidParameterValue('Number of tags exceeds resource tag limit.');
  optBool(input, 'Publish'); // type check only: Publish=true was refused by unsupported()
  if (svc.store.get(ref.name)) throw E.resourceConflict(`Function already exist: ${ref.name}`);
  const fn: LambdaFunction = {
    name: ref.name,
    arn: svc.functionArn(ref.name),
    config,
    state: { State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating', LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being created.', LastUpdateStatusReasonCode: 'Creating' },
    codeSha256: codeSha256(zip),
    codeSize: zip.length,
    revisionId: newRevisionId(),
    modifiedMs: svc.clock.now(),
    tags,
  };
  svc.store.save(fn, zip);
  void svc.activate(fn.name);
  svc.log(`λ create ${fn.name} (${config.Runtime}, ${zip.length} bytes)`);
  return renderConfiguration(fn);
}

function checkUpdatable(fn: LambdaFunction, input: Input): void {
  const rev = optString(input, 'RevisionId');
  if (rev !== undefined && rev !== fn.revisionId) {
    throw E.preconditionFailed('The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
  }
  if (fn.state.LastUpdateStatus === 'InProgress') {
    throw E.resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`);
  }
}

const inProgress = { State: 'Active' as const, LastUpdateStatus: 'InProgress' as const, LastUpdateStatusReason: 'The function is being created.', LastUpdateStatusReasonCode: 'Creating' };

function updateFunctionCode(svc: LambdaService, input: Input): Output {
  const fn = svc.requireFunction(input.FunctionName);
  unsupported(input);
  const zip = codeFrom(input, 'UpdateFunctionCode');
  checkUpdatable(fn, input);
  if (input.DryRun === true) return renderConfiguration({ ...fn, codeSha256: codeSha256(zip), codeSize: zip.length });
  const next: LambdaFunction = { ...fn, codeSha256: codeSha256(zip), codeSize: zip.length, revisionId: newRevisionId(), modifiedMs: svc.clock.now(), state: { ...inProgress, State: fn.state.State === 'Failed' ? 'Pending' : 'Active' } };
  svc.store.save(next, zip);
  svc.runtime.retire(fn.name);
  void svc.activate(fn.name);
  svc.log(`λ update code ${fn.name} (${zip.length} bytes)`);
  return renderConfiguration(next);
}

function updateFunctionConfiguration(svc: LambdaService, input: Input): Output {
  const fn = svc.requireFunction(input.FunctionName);
  unsupported(input);
  const config = configFields(input, fn.config);
  checkUpdatable(fn, input);
  const next: LambdaFunction = { ...fn, config, revisionId: newRevisionId(), modifiedMs: svc.clock.now(), state: { ...inProgress, State: fn.state.State } };
  svc.store.save(next);
  svc.runtime.retire(fn.name);
  void svc.activate(fn.name);
  svc.log(`λ update configuration ${fn.name}`);
  return renderConfiguration(next);
}

function listFunctions(svc: LambdaService, input: Input): Output {
  const maxItems = input.MaxItems === undefined || input.MaxItems === null ? undefined : Number(input.MaxItems);
  if (maxItems !== undefined && (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000)) {
    throw E.constraint(String(input.MaxItems), 'maxItems', 'Member must have value between 1 and 10000');
  }
  const version = input.FunctionVersion;
  if (version !== undefined && version !== null && version !== 'ALL') throw E.constraint(version, 'functionVersion', 'Member must satisfy enum value set: [ALL]');
  let after = '';
  if (typeof input.Marker === 'string' && input.Marker !== '') {
    try {
      after = Buffer.from(input.Marker, 'base64url').toString('utf8');
      if (!/^[a-zA-Z0-9-_]{1,64}$/.test(after)) throw new Error('bad');
    } catch {
      throw E.invalidParameterValue('Invalid marker.');
    }
  }
  const all = svc.store.all().filter((f) => f.name > after);
  const limit = Math.min(maxItems ?? LIST_PAGE, LIST_PAGE);
  const page = all.slice(0, limit);
  const out: Output = { Functions: page.map((f) => renderConfiguration(f, true)) };
  if (all.length > limit) out.NextMarker = Buffer.from(page[page.length - 1]!.name, 'utf8').toString('base64url');
  return out;
}

export type { LambdaContext };
