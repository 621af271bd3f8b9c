/**
 * HTTP APIs in `svl graph --format mermaid|dot`: an API node, an edge per route to its function (a
 * function node shared with the queue graph when it is a consumer too), and function -> topic edges
 * for the topics a function publishes to. Appended to the queue graph's rendering; pure.
 */
import type { ApiInfo } from '../../aws/apis-inventory.js';
import type { GraphNode } from '../../aws/inventory-model.js';
import { nodeIds } from './render.js';

interface ApiEdges {
  nodes: Array<{ id: string; label: string; kind: 'api' | 'function' }>;
  edges: Array<{ from: string; to: string; label?: string }>;
}

function apiEdges(apis: readonly ApiInfo[], graphNodes: readonly GraphNode[]): ApiEdges {
  const ids = nodeIds(graphNodes);
  const existing = (kind: GraphNode['kind'], name: string) => {
    const n = graphNodes.find((x) => x.kind === kind && x.name === name);
    return n ? ids.get(n.id) : undefined;
  };
  const taken = new Set(ids.values());
  const fresh = (base: string) => {
    let id = base.replace(/[^A-Za-z0-9_]/g, '_');
    for (let i = 2; taken.has(id); i++) id = `${base.replace(/[^A-Za-z0-9_]/g, '_')}_${i}`;
    taken.add(id);
    return id;
  };
  const out: ApiEdges = { nodes: [], edges: [] };
  const fnIds = new Map<string, string>();
  const fnId = (fn: string) => {
    let id = fnIds.get(fn) ?? existing('function', fn);
    if (!id) {
      id = fresh(`fn_${fn}`);
      out.nodes.push({ id, label: `λ ${fn}`, kind: 'function' });
    }
    fnIds.set(fn, id);
    return id;
  };
  for (const a of apis) {
    const apiId = fresh(`api_${a.name}_${a.id}`);
    out.nodes.push({ id: apiId, label: `API ${a.name}`, kind: 'api' });
    for (const r of a.routes) {
      if (!r.function) continue;
      out.edges.push({ from: apiId, to: fnId(r.function), label: `${r.route}${r.authorizer ? ` [${r.authorizer}]` : ''}` });
    }
    for (const [fn, topics] of Object.entries(a.publishes ?? {})) {
      for (const t of topics) {
        const to = existing('topic', t);
        if (to && !out.edges.some((e) => e.from === fnId(fn) && e.to === to)) out.edges.push({ from: fnId(fn), to, label: 'publishes' });
      }
    }
  }
  return out;
}

const mermaidText = (s: string) => s.replace(/"/g, '#quot;').replace(/\|/g, '#124;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
const dotText = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Mermaid lines (without the `flowchart LR` header) for the APIs. */
export function mermaidApis(apis: readonly ApiInfo[], graphNodes: readonly GraphNode[]): string[] {
  const g = apiEdges(apis, graphNodes);
  return [
    ...g.nodes.map((n) => `  ${n.id}${n.kind === 'api' ? `[/"${mermaidText(n.label)}"/]` : `(["${mermaidText(n.label)}"])`}`),
    ...g.edges.map((e) => `  ${e.from} -->${e.label ? `|"${mermaidText(e.label)}"|` : ''} ${e.to}`),
  ];
}

/** Graphviz statements for the APIs (to go before the closing brace). */
export function dotApis(apis: readonly ApiInfo[], graphNodes: readonly GraphNode[]): string[] {
  const g = apiEdges(apis, graphNodes);
  return [
    ...g.nodes.map((n) => `  ${dotText(n.id)} [label=${dotText(n.label)}, shape=${n.kind === 'api' ? 'parallelogram' : 'box, style=rounded'}];`),
    ...g.edges.map((e) => `  ${dotText(e.from)} -> ${dotText(e.to)}${e.label ? ` [label=${dotText(e.label)}]` : ''};`),
  ];
}
