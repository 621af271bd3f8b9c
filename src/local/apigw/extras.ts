/**
 * The small DELETE operations that remove one setting: DeleteCorsConfiguration (an API's CORS),
 * DeleteAccessLogSettings and DeleteRouteSettings (a stage's). Stored settings only; nothing else.
 */
import * as E from './errors.js';
import { requireApi, type Handler } from './common.js';

export const deleteCorsConfiguration: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const { corsConfiguration: _gone, ...rest } = api;
  ctx.store.transaction(() => ctx.store.putApi(rest));
  return undefined;
};

function stageOf(input: Record<string, unknown>, ctx: Parameters<Handler>[1]) {
  const api = requireApi(ctx, input.apiId);
  const name = String(input.stageName ?? '');
  const stage = ctx.store.stage(api.apiId, name);
  if (!stage) throw E.stageNotFound();
  return { api, stage };
}

export const deleteAccessLogSettings: Handler = (input, ctx) => {
  const { api, stage } = stageOf(input, ctx);
  const { accessLogSettings: _gone, ...rest } = stage;
  ctx.store.transaction(() => ctx.store.put(api.apiId, 'stage', stage.stageName, rest));
  return undefined;
};

export const deleteRouteSettings: Handler = (input, ctx) => {
  const { api, stage } = stageOf(input, ctx);
  const key = String(input.routeKey ?? '');
  if (!stage.routeSettings?.[key]) throw E.badRequest(`No route settings exist for route key ${key} on stage ${stage.stageName}.`);
  const routeSettings = { ...stage.routeSettings };
  delete routeSettings[key];
  ctx.store.transaction(() => ctx.store.put(api.apiId, 'stage', stage.stageName, { ...stage, routeSettings }));
  return undefined;
};
