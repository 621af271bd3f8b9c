/**
 * svl/testing's `apply`: a flow spec (object or `.flow.json` path) applied to the in-process emulator
 * with the engine of `svl apply` (observe, plan, apply; idempotent). Loaded on first use: it brings in
 * the AWS SDK clients (through ../aws/sdk.ts, as the engine does), which a test that only uses the raw
 * emulator does not need to pay for at start.
 *
 * The engine gets the clients lazily, as `svl apply` gives them: Lambda only for a spec with consumers or
 * functions, S3 only for one with buckets, and API Gateway only when there can be an HTTP API to look at:
 * the spec declares some, or the emulator has some (the flow's stale ones would be deleted). An emulator
 * without any, for a spec without any, is a target without API Gateway to the engine, which then plans
 * and does exactly what it would after listing none (nothing), without loading that client (~60 ms).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { S3Client } from '@aws-sdk/client-s3';
import { applyFlow, prepareFlow, type ApplyResult } from '../flows/apply.js';
import { readSpecFile } from '../flows/files.js';
import { assertApplicable } from '../flows/preflight.js';
import { validateSpec, type FlowSpec } from '../flows/spec.js';
import { ACCOUNT_ID } from '../local/sqs/constants.js';
import { apigwSdk, lambdaSdk, s3Sdk, snsSdk, sqsSdk } from '../aws/sdk.js';

type Config = { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

/** What the in-process emulator can tell without a request. */
export interface EmulatorState {
  /** Whether any HTTP API exists (in any region). */
  hasHttpApis(): boolean;
}

export async function applySpec(spec: Record<string, unknown> | FlowSpec | string, config: Config, emulator: EmulatorState): Promise<ApplyResult> {
  const source = typeof spec === 'string' ? spec : 'flow spec';
  const flow = typeof spec === 'string' ? readSpecFile(spec) : validateSpec(spec, source);
  const sqs = new (sqsSdk().SQSClient)(config);
  const sns = new (snsSdk().SNSClient)(config);
  // Heavy imports, each only when needed (see the header); S3 path-style, as on `svl --local`.
  let lambda: LambdaClient | undefined;
  let apigw: ApiGatewayV2Client | undefined;
  let s3: S3Client | undefined;
  try {
    const clients = {
      sqs,
      sns,
      lambda: async () => (lambda ??= new (lambdaSdk().LambdaClient)(config)),
      apigw: async () => (flow.apis.length || emulator.hasHttpApis() ? (apigw ??= new (apigwSdk().ApiGatewayV2Client)(config)) : undefined),
      s3: async () => (s3 ??= new (s3Sdk().S3Client)({ ...config, forcePathStyle: true })),
    };
    const prepared = await prepareFlow(flow, clients, { kind: 'local', region: config.region, account: ACCOUNT_ID });
    assertApplicable(flow, prepared.observed, source);
    if (prepared.plan.conflicts.length) throw new Error(`svl/testing: flow ${flow.name} cannot be applied:\n  - ${prepared.plan.conflicts.join('\n  - ')}`);
    return await applyFlow(flow, clients, prepared);
  } finally {
    sqs.destroy();
    sns.destroy();
    lambda?.destroy();
    apigw?.destroy();
    s3?.destroy();
  }
}
