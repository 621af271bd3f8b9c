/** API Gateway v2 limits and fixed values (AWS quotas and model constraints). */
export const ACCOUNT_ID = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

/** Id lengths as AWS issues them (AWS CLI reference examples): APIs 10, routes/integrations 7, authorizers/deployments 6. */
export const API_ID_LENGTH = 10;
export const CHILD_ID_LENGTH = 7;
export const SHORT_ID_LENGTH = 6;

export const TIMEOUT_MIN_MS = 50;
export const TIMEOUT_MAX_MS = 30_000;
export const TIMEOUT_DEFAULT_MS = 30_000;
export const AUTHORIZER_TTL_MAX_S = 3600;
/** AWS's default for a REQUEST authorizer created without authorizerResultTtlInSeconds. */
export const AUTHORIZER_TTL_DEFAULT_S = 300;

/** GetApis/GetRoutes/… page size when maxResults is absent (UNVERIFIED: AWS documents no default; 100 is what it answers in practice). */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
export const HTTP_ROUTE_SELECTION_EXPRESSION = '$request.method $request.path';
export const API_KEY_SELECTION_EXPRESSION = '$request.header.x-api-key';

/** Tags per resource (AWS quota). */
export const MAX_TAGS = 50;

/** A Lambda function ARN, or the `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations` form. */
export const LAMBDA_URI = /^arn:aws[a-zA-Z-]*:(lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?|apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?\/invocations)$/;
