/**
 * API Gateway v2's durable state: APIs and their children (routes, integrations, stages, authorizers,
 * deployments) in SQLite (migration 7), mirrored in memory so the data plane reads synchronously, with a
 * version that changes on every write and reload (what the data plane resolved and cached is then stale).
 *
 * Every write runs in one SQLite transaction and updates the cache only after it commits; if a
 * transaction fails, the cache is reloaded from the database, so the two never disagree.
 * Deliberately no validation here (that is the operations' job) and no HTTP.
 */
import type { Db } from '../store/db.js';
import type { ApiGatewayReader, Authorizer, Deployment, DeploymentSnapshot, Integration, Route, Stage, StoredApi } from './model.js';

export type ChildKind = 'route' | 'integration' | 'stage' | 'authorizer' | 'deployment';

export interface DeploymentRecord {
  deployment: Deployment;
  snapshot: DeploymentSnapshot;
}

interface ApiState {
  api: StoredApi;
  route: Map<string, Route>;
  integration: Map<string, Integration>;
  stage: Map<string, Stage>;
  authorizer: Map<string, Authorizer>;
  deployment: Map<string, DeploymentRecord>;
}

interface ChildDocs {
  route: Route;
  integration: Integration;
  stage: Stage;
  authorizer: Authorizer;
  deployment: DeploymentRecord;
}

interface ApiRow {
  api_id: string;
  region: string;
  doc: string;
}
interface ChildRow {
  api_id: string;
  kind: ChildKind;
  id: string;
  doc: string;
  snapshot: string | null;
}

export class ApiGatewayStore implements ApiGatewayReader {
  private state = new Map<string, ApiState>();
  private changes = 0;
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      apis: db.prepare(`SELECT * FROM apigw_apis ORDER BY rowid`),
      children: db.prepare(`SELECT * FROM apigw_children ORDER BY rowid`),
      putApi: db.prepare(`INSERT INTO apigw_apis (api_id, region, doc) VALUES (?, ?, ?) ON CONFLICT(api_id) DO UPDATE SET doc = excluded.doc`),
      deleteApi: db.prepare(`DELETE FROM apigw_apis WHERE api_id = ?`),
      putChild: db.prepare(
        `INSERT INTO apigw_children (api_id, kind, id, doc, snapshot) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(api_id, kind, id) DO UPDATE SET doc = excluded.doc, snapshot = excluded.snapshot`,
      ),
      deleteChild: db.prepare(`DELETE FROM apigw_children WHERE api_id = ? AND kind = ? AND id = ?`),
    };
    this.load();
  }

  private load(): void {
    const state = new Map<string, ApiState>();
    for (const r of this.s.apis.all() as ApiRow[]) {
      const api = { ...(JSON.parse(r.doc) as StoredApi), region: r.region };
      state.set(r.api_id, { api, route: new Map(), integration: new Map(), stage: new Map(), authorizer: new Map(), deployment: new Map() });
    }
    for (const r of this.s.children.all() as ChildRow[]) {
      const st = state.get(r.api_id);
      if (!st) continue;
      const doc: unknown = JSON.parse(r.doc);
      if (r.kind === 'deployment') st.deployment.set(r.id, { deployment: doc as Deployment, snapshot: JSON.parse(r.snapshot ?? '{"routes":[],"integrations":[],"authorizers":[]}') as DeploymentSnapshot });
      else (st[r.kind] as Map<string, unknown>).set(r.id, doc);
    }
    this.state = state;
    this.changes++;
  }

  /** Runs `fn` (which calls the write methods below) as one transaction; on failure the cache is rebuilt from SQLite. */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      this.load();
      throw err;
    }
  }

  putApi(api: StoredApi): void {
    const { region, ...doc } = api;
    this.s.putApi.run(api.apiId, region, JSON.stringify(doc));
    this.changes++;
    const st = this.state.get(api.apiId);
    if (st) st.api = api;
    else this.state.set(api.apiId, { api, route: new Map(), integration: new Map(), stage: new Map(), authorizer: new Map(), deployment: new Map() });
  }

  deleteApi(apiId: string): void {
    this.s.deleteApi.run(apiId);
    this.state.delete(apiId);
    this.changes++;
  }

  put<K extends ChildKind>(apiId: string, kind: K, id: string, doc: ChildDocs[K]): void {
    const st = this.state.get(apiId);
    if (!st) throw new Error(`apigw store: no API ${apiId}`);
    if (kind === 'deployment') {
      const rec = doc as DeploymentRecord;
      this.s.putChild.run(apiId, kind, id, JSON.stringify(rec.deployment), JSON.stringify(rec.snapshot));
    } else {
      this.s.putChild.run(apiId, kind, id, JSON.stringify(doc), null);
    }
    (st[kind] as Map<string, ChildDocs[K]>).set(id, doc);
    this.changes++;
  }

  remove(apiId: string, kind: ChildKind, id: string): void {
    this.s.deleteChild.run(apiId, kind, id);
    this.state.get(apiId)?.[kind].delete(id);
    this.changes++;
  }

  /** The children of one kind, in creation order. */
  list<K extends ChildKind>(apiId: string, kind: K): ChildDocs[K][] {
    const st = this.state.get(apiId);
    return st ? [...(st[kind] as Map<string, ChildDocs[K]>).values()] : [];
  }

  get<K extends ChildKind>(apiId: string, kind: K, id: string): ChildDocs[K] | undefined {
    return (this.state.get(apiId)?.[kind] as Map<string, ChildDocs[K]> | undefined)?.get(id);
  }

  // ---- ApiGatewayReader (the data plane's view) ----

  version(): number {
    return this.changes;
  }

  api(apiId: string): StoredApi | undefined {
    return this.state.get(apiId)?.api;
  }

  apis(): StoredApi[] {
    return [...this.state.values()].map((s) => s.api);
  }

  /** What `stageName` serves: undefined = the current definitions; null = nothing (no deployment). */
  private served(apiId: string, stageName: string | undefined): DeploymentSnapshot | undefined | null {
    if (stageName === undefined) return undefined;
    const stage = this.get(apiId, 'stage', stageName);
    if (!stage) return null;
    if (stage.autoDeploy) return undefined;
    if (!stage.deploymentId) return null;
    return this.get(apiId, 'deployment', stage.deploymentId)?.snapshot ?? null;
  }

  routes(apiId: string, stageName?: string): Route[] {
    const snap = this.served(apiId, stageName);
    if (snap === null) return [];
    return snap ? snap.routes : this.list(apiId, 'route');
  }

  integration(apiId: string, integrationId: string, stageName?: string): Integration | undefined {
    const snap = this.served(apiId, stageName);
    if (snap === null) return undefined;
    return snap ? snap.integrations.find((i) => i.integrationId === integrationId) : this.get(apiId, 'integration', integrationId);
  }

  authorizer(apiId: string, authorizerId: string, stageName?: string): Authorizer | undefined {
    const snap = this.served(apiId, stageName);
    if (snap === null) return undefined;
    return snap ? snap.authorizers.find((a) => a.authorizerId === authorizerId) : this.get(apiId, 'authorizer', authorizerId);
  }

  stage(apiId: string, stageName: string): Stage | undefined {
    return this.get(apiId, 'stage', stageName);
  }

  stages(apiId: string): Stage[] {
    return this.list(apiId, 'stage');
  }

  /** The current definitions, frozen for a deployment. */
  snapshot(apiId: string): DeploymentSnapshot {
    return { routes: this.list(apiId, 'route'), integrations: this.list(apiId, 'integration'), authorizers: this.list(apiId, 'authorizer') };
  }
}
