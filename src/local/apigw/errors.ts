/**
 * API Gateway v2's named errors. On the wire: status, `x-amzn-ErrorType: <Code>` and `{"message": "…"}`.
 *
 * Verified against recorded AWS answers: `Invalid API identifier specified <account>:<apiId>` (404),
 * `Route key is required`, `One or more path parts appear to be invalid` and `Unable to deploy API
 * because no routes exist in this API` (400), the route-variable conflict (409).
 * The other texts are UNVERIFIED (modelled on AWS's phrasing; see the ledger in service.ts).
 */
import { AwsError } from '../../domain/aws-error.js';
import { ACCOUNT_ID } from './constants.js';

const notFound = (message: string) => new AwsError('NotFoundException', message, { status: 404 });
export const badRequest = (message: string) => new AwsError('BadRequestException', message, { status: 400 });
export const conflict = (message: string) => new AwsError('ConflictException', message, { status: 409 });

export const apiNotFound = (apiId: string) => notFound(`Invalid API identifier specified ${ACCOUNT_ID}:${apiId}`);
export const routeNotFound = (id: string) => notFound(`Invalid Route identifier specified ${id}`);
export const integrationNotFound = (id: string) => notFound(`Invalid Integration identifier specified ${id}`);
export const authorizerNotFound = (id: string) => notFound(`Invalid Authorizer identifier specified ${id}`);
export const deploymentNotFound = (id: string) => notFound(`Invalid Deployment identifier specified ${id}`);
/** AWS's REST API (v1) answer for a missing stage, recorded; v2's UNVERIFIED but assumed the same. */
export const stageNotFound = () => notFound('Invalid stage identifier specified');
export const resourceNotFound = (arn: string) => notFound(`Invalid resource identifier specified ${arn}`);

/** No operation answers this method + path under `/v2/`. */
export const unknownOperation = (method: string, path: string) => notFound(`svl emulator: no API Gateway v2 operation answers ${method} ${path}.`);
/** A known API Gateway v2 operation the emulator does not implement. */
export const notImplemented = (op: string) =>
  badRequest(`svl emulator: the API Gateway v2 operation ${op} is not supported (see the fidelity ledger in src/local/apigw/service.ts).`);

/** The body could not be read as a JSON object (AWS: 400 BadRequestException). */
export const malformedBody = (detail: string) => badRequest(`Could not parse request body into json: ${detail}`);

/** A member of the wrong JSON type or outside the model's constraints. */
export const invalidMember = (member: string, expected: string) => badRequest(`Invalid input for ${member}: ${expected}`);
export const missingMember = (member: string) => badRequest(`${member} is required`);
/** A feature of a supported operation the emulator does not implement. */
export const unsupported = (what: string) => badRequest(`svl emulator: ${what} not supported (see the fidelity ledger in src/local/apigw/service.ts).`);
