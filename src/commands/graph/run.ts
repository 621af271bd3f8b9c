/** The work of `svl graph`: discover (with Lambda event source mappings), narrow to a flow, build the graph. */
import { getLambda, getS3, getSns, getSqs } from '../../aws/clients.js';
import { buildGraph, discoverInventory, flowNames, flowNotFound, selectFlow, type GraphEdge, type GraphNode } from '../../aws/inventory.js';
import type { Target } from '../../aws/target.js';
import type { Ui } from '../../ui/index.js';
import type { GraphFormat } from './index.js';
import { renderDot, renderMermaid, renderText } from './render.js';
import type { ApiInfo } from '../../aws/apis-inventory.js';
import { renderApisTree, statusApis } from '../status/apis.js';
import { dotApis, mermaidApis } from './apis.js';

export interface GraphResult {
  /** Null: everything in the account/emulator. */
  flow: string | null;
  target: { kind: 'local' | 'aws'; region: string | null };
  /** Whether Lambda event source mappings could be listed; when not, the graph has no consumers. */
  consumers: { available: boolean; reason?: string };
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** HTTP APIs: routes -> functions -> the topics they publish to (absent when there are none). */
  apis?: ApiInfo[];
}

export async function runGraph(o: { flow?: string }, target: Target, ui: Pick<Ui, 'info'>, signal?: AbortSignal): Promise<GraphResult> {
  const [sqs, sns, lambda, s3] = await Promise.all([getSqs(target, ui), getSns(target, ui), getLambda(target, ui), getS3(target, ui)]);
  const [inv, apis] = await Promise.all([discoverInventory({ target, sqs, sns, lambda, s3, signal }), statusApis(target, ui, o.flow, true)]);
  const scoped = o.flow === undefined ? inv : selectFlow(inv, o.flow);
  if (!scoped) throw flowNotFound(o.flow!, flowNames(inv), target);
  const graph = buildGraph(scoped);
  return {
    flow: o.flow ?? null,
    target: { kind: target.kind, region: target.region ?? null },
    consumers: inv.lambda ?? { available: false, reason: 'not queried' },
    ...graph,
    ...(apis.length && { apis }),
  };
}

export function renderGraph(r: GraphResult, format: GraphFormat): string {
  if (format === 'mermaid') return r.apis?.length ? [renderMermaid(r), ...mermaidApis(r.apis, r.nodes)].join('\n') : renderMermaid(r);
  if (format === 'dot') {
    const dot = renderDot(r, r.flow ?? 'svl');
    return r.apis?.length ? `${dot.slice(0, dot.lastIndexOf('}'))}${dotApis(r.apis, r.nodes).join('\n')}\n}` : dot;
  }
  const apis = r.apis?.length ? renderApisTree(r.apis) : '';
  if (r.nodes.length === 0) return apis || `No topics or queues found (${r.target.kind === 'local' ? 'local emulator' : (r.target.region ?? 'AWS')}).`;
  return apis ? `${apis}\n\n${renderText(r)}` : renderText(r);
}
