/** run/render for `svl config show` and `svl config get`: pure functions of the resolved target. */
import { describeCredentials, SERVICES, type Service, type Target } from '../../aws/target.js';
import type { Env } from '../../env.js';
import { SvlError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import type { CONFIG_KEYS } from './index.js';

export interface ConfigShowResult {
  kind: 'aws' | 'local';
  region: string | null;
  profile: string | null;
  accountId: string | null;
  /** null: the SDK's default endpoint for the region. */
  endpoints: Record<Service, string | null>;
  /** Where credentials come from; never the secrets. */
  credentials: string;
  sources: {
    kind: string;
    region: string | null;
    profile: string | null;
    endpoints: Record<Service, string | null>;
  };
}

export function runConfigShow(target: Target, env: Env): ConfigShowResult {
  const endpoints = {} as Record<Service, string | null>;
  const endpointSources = {} as Record<Service, string | null>;
  for (const s of SERVICES) {
    endpoints[s] = target.endpoints[s] ?? null;
    endpointSources[s] = target.sources.endpoints[s] ?? null;
  }
  return {
    kind: target.kind,
    region: target.region ?? null,
    profile: target.profile ?? null,
    accountId: target.accountId ?? null,
    endpoints,
    credentials: describeCredentials(target, env),
    sources: {
      kind: target.sources.kind,
      region: target.sources.region ?? null,
      profile: target.sources.profile ?? null,
      endpoints: endpointSources,
    },
  };
}

export function renderConfigShow(r: ConfigShowResult, ui: Ui): string {
  const dim = ui.style.dim;
  const rows: string[][] = [
    ['target', r.kind === 'local' ? 'local emulator' : 'AWS', r.sources.kind],
    ['region', r.region ?? dim('not set (the SDK may read ~/.aws/config)'), r.sources.region ?? ''],
    ['profile', r.profile ?? dim(r.kind === 'local' ? 'n/a' : 'default'), r.sources.profile ?? ''],
    ['account', r.accountId ?? dim('known after the first call'), ''],
    ...SERVICES.map((s) => [`endpoint ${s}`, r.endpoints[s] ?? dim('AWS default for the region'), r.sources.endpoints[s] ?? '']),
    ['credentials', r.credentials, ''],
  ];
  if (r.kind === 'aws' && r.region === null) ui.hint('No region set: pass --region or set AWS_REGION, or use --local.');
  return ui.table(['setting', 'value', 'from'], rows);
}

export type ConfigKey = (typeof CONFIG_KEYS)[number];

export function runConfigGet(key: ConfigKey, target: Target): { key: ConfigKey; value: string } {
  const values: Record<ConfigKey, string | undefined> = {
    kind: target.kind,
    region: target.region,
    profile: target.profile,
    account: target.accountId,
    'endpoint.sqs': target.endpoints.sqs,
    'endpoint.sns': target.endpoints.sns,
    'endpoint.lambda': target.endpoints.lambda,
  };
  const value = values[key];
  if (value === undefined) {
    const hints: Partial<Record<ConfigKey, string>> = {
      region: 'pass --region or set AWS_REGION (or use --local)',
      profile: 'pass --profile or set AWS_PROFILE; without one the SDK default chain is used',
      account: 'the account of an AWS target is only known after a call; use --local for 000000000000',
    };
    throw new SvlError(`${key} is not set`, 1, {
      code: 'NotSet',
      hint: hints[key] ?? 'no override: the SDK uses the AWS default endpoint for the region',
    });
  }
  return { key, value };
}
