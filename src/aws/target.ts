/**
 * Where commands send their AWS calls: real AWS (default credential chain, optional profile/region/
 * endpoints) or the local emulator. Pure: flags and environment in, a Target out; no SDK import,
 * no network. Precedence for every setting: flag > SVL_* > AWS_*.
 */
import { envFlag, envValue, type Env } from '../env.js';
import { UsageError } from '../errors.js';

export type Service = 'sqs' | 'sns' | 'lambda';
export const SERVICES: readonly Service[] = ['sqs', 'sns', 'lambda'];

export const LOCAL_ENDPOINT = 'http://127.0.0.1:4566';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
/** The emulator ignores signatures; any static pair works, these match the LocalStack convention. */
const LOCAL_CREDENTIALS = Object.freeze({ accessKeyId: 'test', secretAccessKey: 'test' });

/** The global flags that shape the target (already parsed by commander). */
export interface TargetFlags {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  local?: boolean;
}

export interface Target {
  kind: 'aws' | 'local';
  /** Undefined on AWS means "let the SDK decide" (shared config); a missing region is reported by the SDK call. */
  region?: string;
  profile?: string;
  /** Undefined per service means the SDK's default endpoint for the region. */
  endpoints: Partial<Record<Service, string>>;
  /** Only for the emulator; on AWS the SDK default provider chain supplies credentials. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Known up front only for the emulator. */
  accountId?: string;
  /** Where each value came from (flag or variable name), for `svl config show` and error hints. */
  sources: {
    kind: string;
    region?: string;
    profile?: string;
    endpoints: Partial<Record<Service, string>>;
  };
}

export function resolveTarget(flags: TargetFlags, env: Env): Target {
  if (flags.local) {
    const clash = [flags.endpointUrl !== undefined && '--endpoint-url', flags.profile !== undefined && '--profile']
      .filter(Boolean);
    if (clash.length > 0) {
      throw new UsageError(`--local cannot be combined with ${clash.join(' or ')}`, {
        hint: '--local always targets the emulator; drop --local to use AWS with a profile or endpoint',
      });
    }
  }
  // An explicit --profile/--endpoint-url beats SVL_LOCAL=1 from the environment (flag > env).
  const local = flags.local ?? (flags.profile === undefined && flags.endpointUrl === undefined && envFlag(env, 'SVL_LOCAL'));
  return local ? localTarget(flags, env) : awsTarget(flags, env);
}

function localTarget(flags: TargetFlags, env: Env): Target {
  const custom = envValue(env, 'SVL_LOCAL_ENDPOINT');
  const endpoint = custom !== undefined ? checkEndpoint(custom, 'SVL_LOCAL_ENDPOINT') : LOCAL_ENDPOINT;
  const endpointSource = custom !== undefined ? 'SVL_LOCAL_ENDPOINT' : '--local';
  // Region variables from the user's shell are deliberately ignored: they usually point at real AWS,
  // and the emulator's ARNs should be predictable. An explicit --region is honoured.
  const region = flags.region !== undefined ? checkRegion(flags.region, '--region') : LOCAL_REGION;
  return {
    kind: 'local',
    region,
    endpoints: { sqs: endpoint, sns: endpoint, lambda: endpoint },
    credentials: { ...LOCAL_CREDENTIALS },
    accountId: LOCAL_ACCOUNT_ID,
    sources: {
      kind: flags.local ? '--local' : 'SVL_LOCAL',
      region: flags.region !== undefined ? '--region' : 'emulator default',
      endpoints: { sqs: endpointSource, sns: endpointSource, lambda: endpointSource },
    },
  };
}

function awsTarget(flags: TargetFlags, env: Env): Target {
  const region = pick(flags.region, '--region', env, ['SVL_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION']);
  const profile = pick(flags.profile, '--profile', env, ['SVL_PROFILE', 'AWS_PROFILE']);
  const target: Target = { kind: 'aws', endpoints: {}, sources: { kind: 'default', endpoints: {} } };
  if (region) {
    target.region = checkRegion(region.value, region.source);
    target.sources.region = region.source;
  }
  if (profile) {
    target.profile = profile.value;
    target.sources.profile = profile.source;
  }
  // AWS's documented switch to ignore AWS_ENDPOINT_URL* (svl's own SVL_ENDPOINT_URL still applies).
  const ignoreAwsEndpoints = envValue(env, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS')?.toLowerCase() === 'true';
  for (const service of SERVICES) {
    const awsNames = ignoreAwsEndpoints ? [] : [`AWS_ENDPOINT_URL_${service.toUpperCase()}`, 'AWS_ENDPOINT_URL'];
    const endpoint = pick(flags.endpointUrl, '--endpoint-url', env, ['SVL_ENDPOINT_URL', ...awsNames]);
    if (endpoint) {
      target.endpoints[service] = checkEndpoint(endpoint.value, endpoint.source);
      target.sources.endpoints[service] = endpoint.source;
    }
  }
  return target;
}

function pick(flag: string | undefined, flagName: string, env: Env, names: string[]) {
  if (flag !== undefined && flag.trim() !== '') return { value: flag.trim(), source: flagName };
  for (const name of names) {
    const value = envValue(env, name);
    if (value !== undefined) return { value, source: name };
  }
  return undefined;
}

/** Endpoints must be absolute http(s) URLs; a typo here would otherwise surface as an obscure SDK error. */
function checkEndpoint(raw: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new UsageError(`Invalid endpoint URL "${raw}" (from ${source})`, {
      hint: 'Use an absolute http(s) URL, e.g. http://127.0.0.1:4566',
    });
  }
  return raw.replace(/\/+$/, '');
}

/** Loose on purpose (emulators accept any region name) but rejects what can never be a host label. */
function checkRegion(region: string, source: string): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region)) {
    throw new UsageError(`Invalid region "${region}" (from ${source})`, { hint: 'Regions look like us-east-1 or eu-west-3' });
  }
  return region;
}

/** A human description of where credentials will come from, never the secrets themselves. */
export function describeCredentials(target: Target, env: Env): string {
  if (target.kind === 'local') return 'static emulator credentials (no AWS account needed)';
  if (target.profile) return `profile "${target.profile}" (from ${target.sources.profile}) via the SDK provider chain`;
  if (envValue(env, 'AWS_ACCESS_KEY_ID')) return 'environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)';
  return 'SDK default provider chain (environment, ~/.aws config and credentials, SSO, instance role)';
}
