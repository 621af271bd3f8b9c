/**
 * The environment as svl reads it. Passed around explicitly (never read from `process.env` deep in the
 * code) so that target resolution, colour and prompt decisions are pure and testable.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** A set, non-empty variable; `''` counts as unset, like most shells' `${VAR:-}` idiom. */
export function envValue(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** Boolean switches such as SVL_LOCAL=1 / SVL_JSON=true; `0`, `false`, `no` and `''` are off. */
export function envFlag(env: Env, name: string): boolean {
  const v = envValue(env, name)?.toLowerCase();
  return v !== undefined && !['0', 'false', 'no', 'off'].includes(v);
}
