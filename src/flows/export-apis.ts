/**
 * The HTTP APIs of a flow as Terraform blocks and CloudFormation resources: what `svl apply` creates for
 * them (apis-apply.ts) — the API (HTTP, CORS, tags), its `$default` stage with autoDeploy, one AWS_PROXY
 * integration (payload 2.0, timeout) per function and timeout, REQUEST authorizers (payload 2.0, simple
 * responses, identity sources, TTL), the routes, and one Lambda permission per function for
 * apigateway.amazonaws.com from `<execution ARN>/*\/*` (statement `svl-<apiId>`, as apply names it).
 * Functions must exist: export.ts reads them (Terraform data sources, CloudFormation parameters) and
 * hands this module a reference per function. Names are derived only from the spec, deterministically.
 */
import { apiFunctions } from './apis.js';
import { corsOf, desiredIntegrations } from './apis-plan.js';
import { Ref, Tpl, hclIdentifier, type Block } from './hcl.js';
import { flowTags, type FlowSpec } from './spec.js';

/** Every function the spec's APIs invoke, in spec order. */
export const exportedApiFunctions = (spec: FlowSpec): string[] => [...new Set(spec.apis.flatMap(apiFunctions))];

/** Allocates `first`, `first_2`, … against `used`. */
function unique(first: string, used: Set<string>, sep = '_'): string {
  let id = first;
  for (let i = 2; used.has(id); i++) id = `${first}${sep}${i}`;
  used.add(id);
  return id;
}

const routeLabel = (key: string) => (key === '$default' ? 'default' : key.replace(/[{}+]/g, '').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, ''));

// ---------------------------------------------------------------------------------------------------
// Terraform

/**
 * Blocks for the spec's APIs; `fn(name)` is the data source address of a function (`data.aws_lambda_function.x`).
 * Returns the blocks and the output value (API endpoint by API name).
 */
export function terraformApis(spec: FlowSpec, fn: (name: string) => string): { blocks: Block[]; endpoints: Array<[string, string]> } {
  const blocks: Block[] = [];
  const used = new Set<string>();
  const endpoints: Array<[string, string]> = [];
  for (const api of spec.apis) {
    const a = unique(hclIdentifier(api.name, 'api'), used);
    const apiRef = `aws_apigatewayv2_api.${a}`;
    const cors = corsOf(api.cors);
    blocks.push({
      type: 'resource',
      labels: ['aws_apigatewayv2_api', a],
      attrs: { name: api.name, protocol_type: 'HTTP', tags: new Ref('local.tags') },
      blocks: cors
        ? [
            {
              type: 'cors_configuration',
              labels: [],
              attrs: {
                allow_origins: cors.AllowOrigins,
                allow_methods: cors.AllowMethods,
                allow_headers: cors.AllowHeaders,
                expose_headers: cors.ExposeHeaders,
                max_age: cors.MaxAge,
                allow_credentials: cors.AllowCredentials,
              },
            },
          ]
        : undefined,
    });
    blocks.push({ type: 'resource', labels: ['aws_apigatewayv2_stage', `${a}_default`], attrs: { api_id: new Ref(`${apiRef}.id`), name: '$default', auto_deploy: true, tags: new Ref('local.tags') } });
    const integrations = new Map<string, string>();
    for (const i of desiredIntegrations(api)) {
      const id = unique(`${a}_${hclIdentifier(i.fn, 'fn')}${api.routes.filter((r) => r.function === i.fn && r.timeoutMs !== i.timeoutMs).length ? `_${i.timeoutMs}ms` : ''}`, used);
      integrations.set(i.key, id);
      blocks.push({
        type: 'resource',
        labels: ['aws_apigatewayv2_integration', id],
        attrs: {
          api_id: new Ref(`${apiRef}.id`),
          integration_type: 'AWS_PROXY',
          integration_method: 'POST',
          integration_uri: new Ref(`${fn(i.fn)}.arn`),
          payload_format_version: '2.0',
          timeout_milliseconds: i.timeoutMs,
        },
      });
    }
    const authorizers = new Map<string, string>();
    for (const z of api.authorizers) {
      const id = unique(`${a}_${hclIdentifier(z.name, 'authorizer')}`, used);
      authorizers.set(z.name, id);
      blocks.push({
        type: 'resource',
        labels: ['aws_apigatewayv2_authorizer', id],
        attrs: {
          api_id: new Ref(`${apiRef}.id`),
          name: z.name,
          authorizer_type: 'REQUEST',
          authorizer_uri: new Ref(`${fn(z.function)}.invoke_arn`),
          authorizer_payload_format_version: '2.0',
          enable_simple_responses: z.simpleResponses,
          identity_sources: z.identitySource,
          authorizer_result_ttl_in_seconds: z.ttlSeconds,
        },
      });
    }
    for (const r of api.routes) {
      const id = unique(`${a}_${routeLabel(r.route) || 'route'}`, used);
      blocks.push({
        type: 'resource',
        labels: ['aws_apigatewayv2_route', id],
        attrs: {
          api_id: new Ref(`${apiRef}.id`),
          route_key: r.route,
          target: new Tpl(['integrations/', new Ref(`aws_apigatewayv2_integration.${integrations.get(`${r.function}@${r.timeoutMs}`)}.id`)]),
          authorization_type: r.authorizer ? 'CUSTOM' : 'NONE',
          authorizer_id: r.authorizer ? new Ref(`aws_apigatewayv2_authorizer.${authorizers.get(r.authorizer)}.id`) : undefined,
        },
      });
    }
    for (const f of apiFunctions(api)) {
      blocks.push({
        type: 'resource',
        labels: ['aws_lambda_permission', unique(`${a}_${hclIdentifier(f, 'fn')}`, used)],
        attrs: {
          statement_id: new Tpl(['svl-', new Ref(`${apiRef}.id`)]),
          action: 'lambda:InvokeFunction',
          function_name: new Ref(`${fn(f)}.function_name`),
          principal: 'apigateway.amazonaws.com',
          source_arn: new Tpl([new Ref(`${apiRef}.execution_arn`), '/*/*']),
        },
      });
    }
    endpoints.push([api.name, `${apiRef}.api_endpoint`]);
  }
  return { blocks, endpoints };
}

// ---------------------------------------------------------------------------------------------------
// CloudFormation

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** A CloudFormation logical id (alphanumeric) from any text. */
const cfnId = (raw: string, fallback: string) =>
  raw
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('') || fallback;

/**
 * Resources and outputs for the spec's APIs; `param(name)` is the logical id of the parameter holding a
 * function's name; `used` holds the logical ids taken already (and receives the new ones).
 */
export function cloudFormationApis(spec: FlowSpec, param: (fn: string) => string, used: Set<string>): { resources: Record<string, Json>; outputs: Record<string, Json> } {
  const resources: Record<string, Json> = {};
  const outputs: Record<string, Json> = {};
  const tags = Object.fromEntries(Object.entries(flowTags(spec)).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  const fnArn = (fn: string) => `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${${param(fn)}}`;
  for (const api of spec.apis) {
    const base = cfnId(api.name, 'Http');
    const a = unique(`${base}Api`, used, '');
    const props: Record<string, Json> = { Name: api.name, ProtocolType: 'HTTP' };
    const cors = corsOf(api.cors);
    if (cors) props.CorsConfiguration = cors as unknown as Json;
    props.Tags = tags;
    resources[a] = { Type: 'AWS::ApiGatewayV2::Api', Properties: props };
    resources[unique(`${base}DefaultStage`, used, '')] = { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: a }, StageName: '$default', AutoDeploy: true, Tags: tags } };
    const integrations = new Map<string, string>();
    for (const i of desiredIntegrations(api)) {
      const id = unique(`${base}${cfnId(i.fn, 'Fn')}Integration`, used, '');
      integrations.set(i.key, id);
      resources[id] = {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: { ApiId: { Ref: a }, IntegrationType: 'AWS_PROXY', IntegrationMethod: 'POST', IntegrationUri: { 'Fn::Sub': fnArn(i.fn) }, PayloadFormatVersion: '2.0', TimeoutInMillis: i.timeoutMs },
      };
    }
    const authorizers = new Map<string, string>();
    for (const z of api.authorizers) {
      const id = unique(`${base}${cfnId(z.name, 'Auth')}Authorizer`, used, '');
      authorizers.set(z.name, id);
      resources[id] = {
        Type: 'AWS::ApiGatewayV2::Authorizer',
        Properties: {
          ApiId: { Ref: a },
          Name: z.name,
          AuthorizerType: 'REQUEST',
          AuthorizerUri: { 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/${fnArn(z.function)}/invocations` },
          AuthorizerPayloadFormatVersion: '2.0',
          EnableSimpleResponses: z.simpleResponses,
          IdentitySource: z.identitySource,
          AuthorizerResultTtlInSeconds: z.ttlSeconds,
        },
      };
    }
    for (const r of api.routes) {
      const route: Record<string, Json> = {
        ApiId: { Ref: a },
        RouteKey: r.route,
        Target: { 'Fn::Sub': `integrations/\${${integrations.get(`${r.function}@${r.timeoutMs}`)}}` },
        AuthorizationType: r.authorizer ? 'CUSTOM' : 'NONE',
      };
      if (r.authorizer) route.AuthorizerId = { Ref: authorizers.get(r.authorizer)! };
      resources[unique(`${base}${cfnId(routeLabel(r.route), 'Default')}Route`, used, '')] = { Type: 'AWS::ApiGatewayV2::Route', Properties: route };
    }
    for (const f of apiFunctions(api)) {
      resources[unique(`${base}${cfnId(f, 'Fn')}Permission`, used, '')] = {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { Ref: param(f) },
          Principal: 'apigateway.amazonaws.com',
          SourceArn: { 'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${a}}/*/*` },
        },
      };
    }
    outputs[unique(`${base}Endpoint`, used, '')] = { Description: `Invoke URL of the HTTP API ${api.name}`, Value: { 'Fn::GetAtt': [a, 'ApiEndpoint'] } };
  }
  return { resources, outputs };
}
