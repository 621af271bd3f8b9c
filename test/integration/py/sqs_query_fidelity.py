#!/usr/bin/python3
"""SQS fidelity checks on the legacy Query protocol (issue 12), with Debian's python3-boto3.

    /usr/bin/python3 test/integration/py/sqs_query_fidelity.py http://127.0.0.1:4566

The Query side of test/integration/sqs-fidelity2.test.mjs: bare queue names as QueueUrl, accented message
attribute names and control characters in values, empty collections, and the Query API over GET with
SigV4-presigned query strings (botocore's SigV4QueryAuth), as LocalStack's AWS-validated tests record them
(tests/aws/services/sqs/test_sqs.py, TestSqsQueryApi). Nothing here waits on a timer.

Exit code 0 when every check passes; 1 on a failed check; 2 when the environment is wrong.
"""
import hashlib
import json
import struct
import sys
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid

try:
    import boto3
    import botocore
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.exceptions import ClientError
except ImportError as exc:  # pragma: no cover - environment check
    print(f"FAIL: boto3/botocore not importable ({exc}). apt-get install -y python3-boto3", file=sys.stderr)
    sys.exit(2)

if len(sys.argv) < 2:
    print("usage: sqs_query_fidelity.py <endpoint-url>", file=sys.stderr)
    sys.exit(2)

ENDPOINT = sys.argv[1].rstrip('/')
REGION = 'us-east-1'
RUN = 'pyf' + uuid.uuid4().hex[:8]
CLIENT = boto3.client('sqs', endpoint_url=ENDPOINT, region_name=REGION,
                      aws_access_key_id='test', aws_secret_access_key='test')
if CLIENT.meta.service_model.protocol != 'query':
    print(f"FAIL: botocore {botocore.__version__} speaks {CLIENT.meta.service_model.protocol} for SQS; "
          "run with /usr/bin/python3 and Debian's python3-boto3", file=sys.stderr)
    sys.exit(2)

INVALID_CHARS = ('Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF '
                 '| #xE000 to #xFFFD | #x10000 to #x10FFFF')


def create(suffix, **kw):
    name = f'{RUN}-{suffix}'
    return name, CLIENT.create_queue(QueueName=name, **kw)['QueueUrl']


def md5_of_attributes(attrs):
    def lp(b):
        return struct.pack('>I', len(b)) + b
    buf = b''
    for name in sorted(attrs):
        a = attrs[name]
        buf += lp(name.encode('utf-8')) + lp(a['DataType'].encode('utf-8')) + b'\x01' + lp(a['StringValue'].encode('utf-8'))
    return hashlib.md5(buf).hexdigest()


def signed_get(url, params, accept=None):
    """A GET with a SigV4-presigned query string; returns (status, content type, body text)."""
    full = url + ('?' + urllib.parse.urlencode(params) if params else '')
    req = AWSRequest(method='GET', url=full)
    SigV4QueryAuth(Credentials('test', 'test'), 'sqs', REGION, expires=300).add_auth(req)
    prepared = req.prepare()
    assert 'X-Amz-Signature=' in prepared.url, prepared.url
    headers = {'Accept': accept} if accept else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(prepared.url, headers=headers), timeout=30) as resp:
            return resp.status, resp.headers.get('Content-Type', ''), resp.read().decode('utf-8')
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get('Content-Type', ''), e.read().decode('utf-8')


class QueryFidelity(unittest.TestCase):
    def test_bare_queue_name_as_queue_url(self):
        # LocalStack test_posting_to_queue_via_queue_name (aws.validated).
        name, url = create('bare')
        sent = CLIENT.send_message(QueueUrl=name, MessageBody='Using name instead of URL')
        self.assertEqual(sent['MD5OfMessageBody'], '86a83f96652a1bfad3891e7d523750cb')
        CLIENT.set_queue_attributes(QueueUrl=name, Attributes={'VisibilityTimeout': '45'})
        attrs = CLIENT.get_queue_attributes(QueueUrl=name, AttributeNames=['All'])['Attributes']
        self.assertEqual(attrs['VisibilityTimeout'], '45')
        self.assertEqual(attrs['ApproximateNumberOfMessages'], '1')

    def test_accented_attribute_names_and_control_characters(self):
        # LocalStack test_send_message_with_invalid_string_attributes and
        # test_invalid_string_attributes_cause_invalid_parameter_value_error (aws.validated).
        _, url = create('attrs')
        attrs = {'attr.1øßä': {'DataType': 'String', 'StringValue': 'Valida'}}
        sent = CLIENT.send_message(QueueUrl=url, MessageBody='test', MessageAttributes=attrs)
        self.assertEqual(sent['MD5OfMessageAttributes'], md5_of_attributes(attrs))
        got = CLIENT.receive_message(QueueUrl=url, MessageAttributeNames=['All'])['Messages'][0]
        self.assertEqual(got['MessageAttributes'], attrs)
        with self.assertRaises(ClientError) as cm:
            CLIENT.send_message(QueueUrl=url, MessageBody='test', MessageAttributes={
                'attr1': {'DataType': 'String', 'StringValue': f'Invalid-{chr(8)},{chr(11)}'}})
        self.assertEqual(cm.exception.response['Error']['Code'], 'InvalidParameterValue')
        self.assertEqual(cm.exception.response['Error']['Message'], INVALID_CHARS)
        with self.assertRaises(ClientError) as cm:
            CLIENT.send_message(QueueUrl=url, MessageBody='x', MessageAttributes={
                'Invalid-§-attr': {'DataType': 'String', 'StringValue': 'Valid'}})
        self.assertEqual(cm.exception.response['Error']['Code'], 'InvalidParameterValue')

    def test_empty_collections_are_left_out(self):
        # LocalStack test_send_message_batch_with_oversized_contents_with_updated_maximum_message_size[sqs_query]
        # and test_sqs_permission_lifecycle[sqs_query] (aws.validated).
        _, url = create('empty')
        out = CLIENT.send_message_batch(QueueUrl=url, Entries=[{'Id': '1', 'MessageBody': 'a'}])
        self.assertNotIn('Failed', out)
        self.assertEqual(len(out['Successful']), 1)
        self.assertNotIn('Attributes', CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['Policy']))

    def test_signed_get_without_action_is_unknown_operation(self):
        # LocalStack test_get_without_query_returns_unknown_operation and ..._json_format_returns_returns_xml.
        _, url = create('get-none')
        for accept in (None, 'application/json'):
            status, _, body = signed_get(url, {}, accept)
            self.assertEqual(status, 404)
            self.assertIn('<UnknownOperationException', body)

    def test_signed_get_queue_url_refuses_create_and_list(self):
        # LocalStack test_get_create_queue_fails and test_get_list_queues_fails (aws.validated).
        _, url = create('get-bad')
        for action, extra in (('CreateQueue', {'QueueName': f'{RUN}-never'}), ('ListQueues', {})):
            status, _, body = signed_get(url, {'Action': action, **extra})
            self.assertEqual(status, 400, body)
            self.assertIn('<Code>InvalidAction</Code>', body)
            self.assertIn(f'<Message>The action {action} is not valid for this endpoint.</Message>', body)
        self.assertNotIn('QueueUrls', CLIENT.list_queues(QueueNamePrefix=f'{RUN}-never'))

    def test_signed_get_send_receive_and_json(self):
        # LocalStack test_get_send_and_receive_messages and test_get_queue_attributes_json_format (aws.validated).
        _, url = create('get-ok')
        status, _, body = signed_get(url, {'Action': 'SendMessage', 'MessageBody': 'foobar'})
        self.assertEqual(status, 200, body)
        status, _, body = signed_get(url, {'Action': 'ReceiveMessage'})
        self.assertEqual(status, 200, body)
        self.assertIn('<Body>foobar</Body>', body)
        status, ctype, body = signed_get(url, {'Action': 'GetQueueAttributes', 'AttributeName.1': 'All'}, 'application/json')
        self.assertEqual(status, 200, body)
        self.assertIn('application/json', ctype)
        doc = json.loads(body)
        attrs = doc['GetQueueAttributesResponse']['GetQueueAttributesResult']['Attributes']
        arn = [a['Value'] for a in attrs if a['Name'] == 'QueueArn']
        self.assertEqual(len(arn), 1)
        self.assertTrue(arn[0].startswith('arn:aws:sqs:') and arn[0].endswith(url.rsplit('/', 1)[1]), arn)
        status, _, body = signed_get(url, {'Action': 'ListQueues'}, 'application/json')
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)['Error']['Code'], 'InvalidAction')


if __name__ == '__main__':
    print(f'botocore {botocore.__version__} (query protocol) against {ENDPOINT}', flush=True)
    result = unittest.main(argv=[sys.argv[0], '-v'], exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
