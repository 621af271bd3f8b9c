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
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { S3Client } from '@aws-sdk/client-s3';
import { applyFlow, prepareFlow, type ApplyResult } from '../flows/apply.js';
import { readSpecFile } from '../flows/files.js';
import { assertApplicable } from '../flows/preflight.js';
import { validateSpec, type FlowSpec } from '../flows/spec.js';
import type { FlowClients } from '../flows/observe.js';
import { ACCOUNT_ID, REGION } from '../local/sqs/constants.js';
import { apigwSdk, lambdaSdk, s3Sdk, snsSdk, sqsSdk } from '../aws/sdk.js';

type Config = { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

/** What the in-process emulator can tell without a request. */
export interface EmulatorState {
  /** Whether any HTTP API exists (in any region). */
  hasHttpApis(): boolean;
}

/**
 * The SDK clients apply hands the engine, made on first use and kept for the emulator's life (several
 * flows, or one applied in every test, share them); `destroy` when the emulator stops.
 */
export class ApplyClients {
  private sqs?: SQSClient;
  private sns?: SNSClient;
  private lambda?: LambdaClient;
  private apigw?: ApiGatewayV2Client;
  private s3?: S3Client;

  constructor(
    private readonly config: Config,
    private readonly emulator: EmulatorState,
  ) {}

  /** The engine's clients for `flow`: SQS and SNS, the others loaded when the engine asks for them. */
  forFlow(flow: FlowSpec): FlowClients {
    const config = this.config;
    return {
      sqs: (this.sqs ??= new (sqsSdk().SQSClient)(config)),
      sns: (this.sns ??= new (snsSdk().SNSClient)(config)),
      lambda: async () => (this.lambda ??= new (lambdaSdk().LambdaClient)(config)),
      apigw: async () => (flow.apis.length || this.emulator.hasHttpApis() ? (this.apigw ??= new (apigwSdk().ApiGatewayV2Client)(config)) : undefined),
      s3: async () => (this.s3 ??= new (s3Sdk().S3Client)({ ...config, forcePathStyle: true })),
    };
  }

  destroy(): void {
    for (const c of [this.sqs, this.sns, this.lambda, this.apigw, this.s3]) c?.destroy();
    this.sqs = this.sns = this.lambda = this.apigw = this.s3 = undefined;
  }
}

export async function applySpec(spec: Record<string, unknown> | FlowSpec | string, clients: ApplyClients): Promise<ApplyResult> {
  const source = typeof spec === 'string' ? spec : 'flow spec';
  const flow = typeof spec === 'string' ? readSpecFile(spec) : validateSpec(spec, source);
  const c = clients.forFlow(flow);
  const prepared = await prepareFlow(flow, c, { kind: 'local', region: REGION, account: ACCOUNT_ID });
  assertApplicable(flow, prepared.observed, source);
  if (prepared.plan.conflicts.length) throw new Error(`svl/testing: flow ${flow.name} cannot be applied:\n  - ${prepared.plan.conflicts.join('\n  - ')}`);
  return applyFlow(flow, c, prepared);
}
