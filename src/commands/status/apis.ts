/** The HTTP APIs part of `svl status` and `svl graph`: discovery through src/aws/apis-inventory.ts, and their rendering. */
import { discoverApis, type ApiInfo } from '../../aws/apis-inventory.js';
import type { Target } from '../../aws/target.js';
import type { Ui } from '../../ui/index.js';

/** The APIs of `flow` (all when undefined); [] when the target has no API Gateway. */
export async function statusApis(target: Target, ui: Pick<Ui, 'info'>, flow: string | undefined, publishes = false): Promise<ApiInfo[]> {
  const { getApiGatewayV2, getLambda } = await import('../../aws/clients.js');
  const inv = await discoverApis(target, { apigw: () => getApiGatewayV2(target, ui), lambda: () => getLambda(target, ui) }, { flow, publishes });
  return inv.apis;
}

/** One row per API: name, flow, routes, invoke URL(s). */
export function renderApisTable(apis: readonly ApiInfo[], ui: Ui): string {
  const rows = apis.map((a) => [a.name, a.id, a.flow ?? ui.style.dim('(untagged)'), a.routes.length, [a.url, ...(a.pathUrl ? [a.pathUrl] : [])].join('\n')]);
  return `${ui.style.bold('HTTP APIs')}\n${ui.table(['API', 'Id', 'Flow', 'Routes', 'Invoke URL'], rows)}`;
}

/** `API users` then a line per route: `POST /users [roles] → λ users-create → topic new-user-added-topic`. */
export function renderApisTree(apis: readonly ApiInfo[]): string {
  const lines: string[] = [];
  for (const a of apis) {
    lines.push(`API ${a.name} (${a.id})  ${a.url}`);
    a.routes.forEach((r, i) => {
      const branch = i === a.routes.length - 1 ? '└─' : '├─';
      const auth = r.authorizer ? `  [authorizer ${r.authorizer} → λ ${r.authorizerFunction ?? '?'}]` : '';
      const topics = r.function ? (a.publishes?.[r.function] ?? []) : [];
      lines.push(`${branch} ${r.route} → ${r.function ? `λ ${r.function}` : '(no integration)'}${topics.map((t) => ` → topic ${t}`).join(',')}${auth}`);
    });
    if (a.routes.length === 0) lines.push('└─ (no routes)');
  }
  return lines.join('\n');
}
