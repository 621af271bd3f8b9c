/**
 * Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s): retries, event age and destinations of
 * asynchronous invocation. Texts recorded against AWS where known (aws-wire.md §5.3).
 */
import * as E from './errors.js';
import type { LambdaHandler, LambdaService } from './service.js';
import { arnService, optInt, optObject, type EventInvokeConfig, type Input, type LambdaFunction, type Output } from './model.js';
import { DEFAULT_MAX_EVENT_AGE, MIN_MAX_EVENT_AGE } from './constants.js';

export function eventInvokeConfigOperations(svc: LambdaService): Record<string, LambdaHandler> {
  const put = (input: Input, merge: boolean): Output => {
    const fn = svc.requireFunction(input.FunctionName, input.Qualifier);
    const retries = optInt(input, 'MaximumRetryAttempts', 'maximumRetryAttempts', 0, 2);
    const age = optInt(input, 'MaximumEventAgeInSeconds', 'maximumEventAgeInSeconds', MIN_MAX_EVENT_AGE, DEFAULT_MAX_EVENT_AGE);
    const dest = optObject(input, 'DestinationConfig');
    const onSuccess = destination(fn, dest, 'OnSuccess');
    const onFailure = destination(fn, dest, 'OnFailure');
    const base = merge ? fn.eventInvokeConfig : undefined;
    const next: EventInvokeConfig = {
      MaximumRetryAttempts: retries ?? base?.MaximumRetryAttempts,
      MaximumEventAgeInSeconds: age ?? base?.MaximumEventAgeInSeconds,
      OnSuccess: onSuccess === undefined ? base?.OnSuccess : onSuccess || undefined,
      OnFailure: onFailure === undefined ? base?.OnFailure : onFailure || undefined,
      LastModifiedMs: svc.clock.now(),
    };
    if (next.MaximumRetryAttempts === undefined && next.MaximumEventAgeInSeconds === undefined && !next.OnSuccess && !next.OnFailure) {
      throw E.invalidParameterValue('You must specify at least one of error handling or destination setting.');
    }
    svc.store.save({ ...fn, eventInvokeConfig: next });
    return render(fn, next);
  };
  return {
    PutFunctionEventInvokeConfig: (i) => put(i, false),
    UpdateFunctionEventInvokeConfig: (i) => put(i, true),
    GetFunctionEventInvokeConfig(i) {
      const fn = svc.requireFunction(i.FunctionName, i.Qualifier);
      if (!fn.eventInvokeConfig) throw notFound(fn);
      return render(fn, fn.eventInvokeConfig);
    },
    DeleteFunctionEventInvokeConfig(i) {
      const fn = svc.requireFunction(i.FunctionName, i.Qualifier);
      if (!fn.eventInvokeConfig) throw notFound(fn);
      svc.store.save({ ...fn, eventInvokeConfig: undefined });
      return {};
    },
    ListFunctionEventInvokeConfigs(i) {
      const fn = svc.requireFunction(i.FunctionName);
      const max = i.MaxItems === undefined || i.MaxItems === null ? undefined : Number(i.MaxItems);
      if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 50)) throw E.constraint(String(i.MaxItems), 'maxItems', 'Member must have value between 1 and 50');
      return { FunctionEventInvokeConfigs: fn.eventInvokeConfig ? [render(fn, fn.eventInvokeConfig)] : [] };
    },
  };
}

const notFound = (fn: LambdaFunction) => E.resourceNotFound(`The function ${fn.arn} doesn't have an EventInvokeConfig`);

/** A destination ARN: undefined when not given, '' when given empty (removes it). */
function destination(fn: LambdaFunction, dest: Input | undefined, key: 'OnSuccess' | 'OnFailure'): string | undefined {
  if (!dest) return undefined;
  const d = dest[key];
  if (d === undefined || d === null) return undefined;
  if (typeof d !== 'object' || Array.isArray(d)) throw E.invalidParameterValue(`DestinationConfig.${key} must be an object.`);
  const arn = (d as Input).Destination;
  if (arn === undefined || arn === null || arn === '') return '';
  if (typeof arn !== 'string') throw E.invalidParameterValue(`DestinationConfig.${key}.Destination must be a string.`);
  const kind = arnService(arn);
  if (!kind) throw E.invalidParameterValue(`The provided destination config DestinationConfig(onSuccess=${key === 'OnSuccess' ? arn : 'null'}, onFailure=${key === 'OnFailure' ? arn : 'null'}) is invalid.`);
  if (kind === 'events') throw E.invalidParameterValue('svl emulator: EventBridge destinations are not supported.');
  if (kind === 'lambda' && arn.split(':')[6] === fn.name) throw E.invalidParameterValue("You can't specify the function as a destination for itself.");
  return arn;
}

function render(fn: LambdaFunction, c: EventInvokeConfig): Output {
  const out: Output = { LastModified: c.LastModifiedMs / 1000, FunctionArn: `${fn.arn}:$LATEST` };
  if (c.MaximumRetryAttempts !== undefined) out.MaximumRetryAttempts = c.MaximumRetryAttempts;
  if (c.MaximumEventAgeInSeconds !== undefined) out.MaximumEventAgeInSeconds = c.MaximumEventAgeInSeconds;
  out.DestinationConfig = { OnSuccess: c.OnSuccess ? { Destination: c.OnSuccess } : {}, OnFailure: c.OnFailure ? { Destination: c.OnFailure } : {} };
  return out;
}
