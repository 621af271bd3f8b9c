/**
 * S3's named errors (REST-XML): code, HTTP status and the message AWS writes, plus the extra elements
 * AWS adds to `<Error>` (BucketName, Key, UploadId, …). Rendering is in http.ts; this file only builds them.
 */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** Extra `<Error>` children, in order (e.g. `{ BucketName: 'b' }`). */
    readonly fields: Record<string, string | number> = {},
    /** Response headers besides the usual ones (MethodNotAllowed's Allow). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const noSuchBucket = (bucket: string) => new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
export const noSuchKey = (key: string) => new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
export const bucketNotEmpty = (bucket: string) =>
  new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket });
export const bucketAlreadyOwnedByYou = (bucket: string) =>
  new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, { BucketName: bucket });
export const invalidBucketName = (bucket: string) => new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket });
export const entityTooLarge = (proposed: number, max: number) =>
  new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { ProposedSize: proposed, MaxSizeAllowed: max });
export const entityTooSmall = (proposed: number, min: number, partNumber: number, eTag: string) =>
  new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, {
    ProposedSize: proposed,
    MinSizeAllowed: min,
    PartNumber: partNumber,
    ETag: eTag,
  });
export const malformedXml = () =>
  new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
export const invalidArgument = (message: string, name?: string, value?: string) =>
  new S3Error('InvalidArgument', message, 400, name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' });
export const invalidRequest = (message: string) => new S3Error('InvalidRequest', message, 400);
export const noSuchUpload = (uploadId: string) =>
  new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404, {
    UploadId: uploadId,
  });
export const invalidRange = (range: string, size: number) =>
  new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, { RangeRequested: range, ActualObjectSize: size }, { 'content-range': `bytes */${size}` });
export const preconditionFailed = (condition: string) =>
  new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition });
export const methodNotAllowed = (method: string, resourceType: string, allow: string) =>
  new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, { Method: method, ResourceType: resourceType }, { allow });
export const invalidPart = (uploadId: string, partNumber: number, eTag: string) =>
  new S3Error(
    'InvalidPart',
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
    400,
    { UploadId: uploadId, PartNumber: partNumber, ETag: eTag },
  );
export const invalidPartOrder = (uploadId: string) =>
  new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', 400, { UploadId: uploadId });
export const noSuchTagSet = (bucket: string) => new S3Error('NoSuchTagSet', 'The TagSet does not exist', 404, { BucketName: bucket });
export const noSuchBucketPolicy = (bucket: string) => new S3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { BucketName: bucket });
export const malformedPolicy = (message: string) => new S3Error('MalformedPolicy', message, 400);
export const invalidTag = (message: string) => new S3Error('InvalidTag', message, 400);
export const invalidLocationConstraint = (constraint: string) =>
  new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, { LocationConstraint: constraint });
export const illegalLocationConstraint = (constraint: string | undefined) =>
  new S3Error(
    'IllegalLocationConstraintException',
    constraint === undefined
      ? 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.'
      : `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    400,
  );
export const aclNotSupported = () => new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400);
export const notImplemented = (header?: string) =>
  new S3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, header ? { Header: header } : {});
export const missingContentLength = () => new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411);
export const invalidDigest = (md5: string) => new S3Error('InvalidDigest', 'The Content-MD5 you specified was not valid.', 400, { 'Content-MD5': md5 });
export const badDigest = (expected: string, calculated: string) =>
  new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, { ExpectedDigest: expected, CalculatedDigest: calculated });
/** A checksum header or trailer that does not match the body (`algorithm` as AWS spells it: CRC32, CRC32C, SHA1, SHA256). */
export const badChecksum = (algorithm: string) => new S3Error('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`, 400);
export const invalidChecksumValue = (headerName: string) => invalidRequest(`Value for ${headerName} header is invalid.`);
export const contentSha256Mismatch = (client: string, computed: string) =>
  new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400, {
    ClientComputedContentSHA256: client,
    S3ComputedContentSHA256: computed,
  });
export const incompleteBody = () => new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400);
export const keyTooLong = (size: number) => new S3Error('KeyTooLongError', 'Your key is too long', 400, { MaxSizeAllowed: 1024, Size: size });
export const invalidEncodingType = (value: string) => invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', value);
export const invalidMaxKeys = (value: string) => invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', value);
