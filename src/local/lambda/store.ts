/**
 * Lambda's durable state: functions (configuration, state, tags, resource policy, event invoke config)
 * cached in memory and written through to SQLite, and deployment packages (zip blobs keyed by SHA-256,
 * shared between functions with the same code).
 */
import type { Db } from '../store/db.js';
import { functionArn, type EventInvokeConfig, type FunctionConfig, type FunctionState, type LambdaFunction, type PolicyDocument } from './model.js';

interface FunctionRow {
  name: string;
  config: string;
  state: string;
  code_sha: string;
  code_size: number;
  revision_id: string;
  tags: string;
  policy: string | null;
  event_invoke_config: string | null;
  modified_ms: number;
}

export class FunctionStore {
  private readonly fns = new Map<string, LambdaFunction>();
  private readonly s;

  constructor(
    private readonly db: Db,
    readonly region: string,
    readonly account: string,
  ) {
    this.s = {
      all: db.prepare(`SELECT * FROM lambda_functions`),
      upsert: db.prepare(
        `INSERT OR REPLACE INTO lambda_functions (name, config, state, code_sha, code_size, revision_id, tags, policy, event_invoke_config, created_ms, modified_ms)
         VALUES (@name, @config, @state, @code_sha, @code_size, @revision_id, @tags, @policy, @event_invoke_config, COALESCE((SELECT created_ms FROM lambda_functions WHERE name = @name), @modified_ms), @modified_ms)`,
      ),
      delete: db.prepare(`DELETE FROM lambda_functions WHERE name = ?`),
      codePut: db.prepare(`INSERT OR IGNORE INTO lambda_code (sha256, zip) VALUES (?, ?)`),
      codeGet: db.prepare(`SELECT zip FROM lambda_code WHERE sha256 = ?`),
      codeSweep: db.prepare(`DELETE FROM lambda_code WHERE sha256 NOT IN (SELECT code_sha FROM lambda_functions)`),
    };
    for (const r of this.s.all.all() as FunctionRow[]) {
      this.fns.set(r.name, {
        name: r.name,
        arn: functionArn(region, account, r.name),
        config: JSON.parse(r.config) as FunctionConfig,
        state: JSON.parse(r.state) as FunctionState,
        codeSha256: r.code_sha,
        codeSize: r.code_size,
        revisionId: r.revision_id,
        modifiedMs: r.modified_ms,
        tags: JSON.parse(r.tags) as Record<string, string>,
        policy: r.policy ? (JSON.parse(r.policy) as PolicyDocument) : undefined,
        eventInvokeConfig: r.event_invoke_config ? (JSON.parse(r.event_invoke_config) as EventInvokeConfig) : undefined,
      });
    }
  }

  get(name: string): LambdaFunction | undefined {
    return this.fns.get(name);
  }

  all(): LambdaFunction[] {
    return [...this.fns.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Writes the function (and, when given, its zip) in one transaction. */
  save(fn: LambdaFunction, zip?: Buffer): void {
    this.db.transaction(() => {
      if (zip) this.s.codePut.run(fn.codeSha256, zip);
      this.s.upsert.run({
        name: fn.name,
        config: JSON.stringify(fn.config),
        state: JSON.stringify(fn.state),
        code_sha: fn.codeSha256,
        code_size: fn.codeSize,
        revision_id: fn.revisionId,
        tags: JSON.stringify(fn.tags),
        policy: fn.policy ? JSON.stringify(fn.policy) : null,
        event_invoke_config: fn.eventInvokeConfig ? JSON.stringify(fn.eventInvokeConfig) : null,
        modified_ms: fn.modifiedMs,
      });
      if (zip) this.s.codeSweep.run();
    })();
    this.fns.set(fn.name, fn);
  }

  delete(name: string): void {
    this.db.transaction(() => {
      this.s.delete.run(name);
      this.s.codeSweep.run();
    })();
    this.fns.delete(name);
  }

  code(sha: string): Buffer | undefined {
    return (this.s.codeGet.get(sha) as { zip: Buffer } | undefined)?.zip;
  }
}
