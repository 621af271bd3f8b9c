/**
 * The AWS SDK v3 client packages (`@aws-sdk/client-*`), loaded with require() rather than `import`.
 *
 * They are CommonJS packages without a "type" field, and since Node 20.19 an ESM `import` of such a file
 * costs two to three times a require(): the ESM loader first compiles the file to detect whether it is an
 * ES module, then lexes it for its named exports, and only then does the CommonJS loader compile and run
 * it (measured on Node 20.20, after client-sns was loaded: client-lambda ~60 ms of CPU against ~25 ms,
 * client-sqs ~30 against ~7). An import after a require pays the detection and the lexing again, so the
 * code that loads a package often should all load it here. require() gives the very module an import of
 * the package made (both resolve to its `main`, dist-cjs/index.js), so classes and errors are shared.
 *
 * The one way svl loads them: the client factory (clients.ts), src/aws, the commands, the flow engine (src/flows,
 * svl doctor included) and svl/testing's apply. A module that sends commands at every call takes them here
 * at its top (`const { XCommand } = sqsSdk()`), one that needs them rarely inside the function that does.
 * Deliberately not here: constructing clients (clients.ts) and types (`import type` costs nothing at run
 * time and stays where it is used).
 */
import { createRequire } from 'node:module';
import type * as Sqs from '@aws-sdk/client-sqs';
import type * as Sns from '@aws-sdk/client-sns';
import type * as Lambda from '@aws-sdk/client-lambda';
import type * as ApiGatewayV2 from '@aws-sdk/client-apigatewayv2';
import type * as S3 from '@aws-sdk/client-s3';
import type * as Sts from '@aws-sdk/client-sts';
import type * as CloudWatchLogs from '@aws-sdk/client-cloudwatch-logs';

const load = createRequire(import.meta.url);

export type SqsSdk = typeof Sqs;
export type SnsSdk = typeof Sns;
export type LambdaSdk = typeof Lambda;
export type ApiGatewayV2Sdk = typeof ApiGatewayV2;
export type S3Sdk = typeof S3;

export const sqsSdk = (): SqsSdk => load('@aws-sdk/client-sqs') as SqsSdk;
export const snsSdk = (): SnsSdk => load('@aws-sdk/client-sns') as SnsSdk;
export const lambdaSdk = (): LambdaSdk => load('@aws-sdk/client-lambda') as LambdaSdk;
export const apigwSdk = (): ApiGatewayV2Sdk => load('@aws-sdk/client-apigatewayv2') as ApiGatewayV2Sdk;
export const s3Sdk = (): S3Sdk => load('@aws-sdk/client-s3') as S3Sdk;
export const stsSdk = (): typeof Sts => load('@aws-sdk/client-sts') as typeof Sts;
export const logsSdk = (): typeof CloudWatchLogs => load('@aws-sdk/client-cloudwatch-logs') as typeof CloudWatchLogs;
