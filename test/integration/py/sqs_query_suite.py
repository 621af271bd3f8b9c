#!/usr/bin/python3
"""SQS over the legacy Query protocol, driven by a real query-era client.

Run with Debian's python3-boto3 (botocore 1.29.x speaks form-encoded Query and parses XML for SQS):

    /usr/bin/python3 test/integration/py/sqs_query_suite.py http://127.0.0.1:4566

Checks the same behaviours as the JSON (SDK v3) suite, as boto3 sees them on the Query wire. Nothing
here waits on a timer: every check holds immediately (visibility is made 0 explicitly, move tasks are
cancelled while running), so the emulator may run on the system clock.

Exit code 0 when every check passes; 1 on a failed check; 2 when the environment is wrong (no boto3,
or a botocore so new that it speaks JSON for SQS and the Query protocol would not be exercised).
"""
import base64
import hashlib
import json
import struct
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

try:
    import botocore
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.exceptions import ClientError
except ImportError as exc:  # pragma: no cover - environment check
    print(f"FAIL: boto3/botocore not importable ({exc}). Install Debian's python3-boto3: "
          "apt-get install -y python3-boto3", file=sys.stderr)
    sys.exit(2)

# botocore moved SQS to the JSON protocol for good in 1.34.90 (boto/botocore PR #3165).
JSON_SINCE = (1, 34, 90)


def _version_tuple(v):
    return tuple(int(p) for p in v.split('.')[:3] if p.isdigit())


if _version_tuple(botocore.__version__) >= JSON_SINCE:
    print(f"FAIL: botocore {botocore.__version__} (from {botocore.__file__}) speaks the JSON protocol for SQS; "
          "this suite needs botocore < 1.34.90 so the Query protocol is exercised. Run it with /usr/bin/python3 "
          "and Debian's python3-boto3 (apt-get install -y python3-boto3), not a pip-installed boto3.",
          file=sys.stderr)
    sys.exit(2)

if len(sys.argv) < 2:
    print("usage: sqs_query_suite.py <endpoint-url>", file=sys.stderr)
    sys.exit(2)

ENDPOINT = sys.argv[1].rstrip('/')
ACCOUNT = '000000000000'
REGION = 'us-east-1'
RUN = 'pyq' + uuid.uuid4().hex[:8]  # queue-name prefix unique to this run
NS = '{http://queue.amazonaws.com/doc/2012-11-05/}'
NONEXISTENT_MSG = 'The specified queue does not exist for this wsdl version.'

CLIENT = boto3.client('sqs', endpoint_url=ENDPOINT, region_name=REGION,
                      aws_access_key_id='test', aws_secret_access_key='test')
assert CLIENT.meta.service_model.protocol == 'query', CLIENT.meta.service_model.protocol


# --------------------------------------------------------------------------------------------- helpers

def qname(suffix):
    return f'{RUN}-{suffix}'


def create(suffix, **kw):
    return CLIENT.create_queue(QueueName=qname(suffix), **kw)['QueueUrl']


def arn_of(url):
    return CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['QueueArn'])['Attributes']['QueueArn']


def counts(url):
    a = CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=[
        'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])['Attributes']
    return int(a['ApproximateNumberOfMessages']), int(a['ApproximateNumberOfMessagesNotVisible'])


def md5(s):
    return hashlib.md5(s.encode('utf-8')).hexdigest()


def md5_of_attributes(attrs):
    """Independent re-implementation of AWS's MD5OfMessageAttributes (reference §2.3)."""
    def lp(b):
        return struct.pack('>I', len(b)) + b
    buf = b''
    for name in sorted(attrs):
        a = attrs[name]
        buf += lp(name.encode()) + lp(a['DataType'].encode())
        if 'StringValue' in a:
            buf += b'\x01' + lp(a['StringValue'].encode())
        else:
            buf += b'\x02' + lp(a['BinaryValue'])
    return hashlib.md5(buf).hexdigest()


def raw(method, path, params, content_type='application/x-www-form-urlencoded; charset=utf-8'):
    """A SigV4-signed Query request sent with urllib; returns (status, headers, parsed XML root)."""
    query = urllib.parse.urlencode(params)
    url = ENDPOINT + path
    body = None
    headers = {}
    if method == 'GET':
        url += '?' + query
    else:
        body = query.encode('utf-8')
        headers['Content-Type'] = content_type
    req = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(Credentials('test', 'test'), 'sqs', REGION).add_auth(req)
    prepared = req.prepare()
    ureq = urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers), method=method)
    try:
        with urllib.request.urlopen(ureq, timeout=30) as resp:
            status, hdrs, data = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        status, hdrs, data = e.code, e.headers, e.read()
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise AssertionError(f'{method} {path} {params.get("Action")}: response is not XML ({e}): {data[:300]!r}')
    return status, hdrs, root


def text(root, path):
    """Text of the namespaced element at `a/b/c` under root; None when absent."""
    el = root.find(_nspath(path))
    return None if el is None else (el.text or '')


def _nspath(path):
    return '/'.join(('.' if p == '.' else NS + p) for p in path.split('/'))


def raw_ok(testcase, action, params, method='POST', path='/'):
    status, hdrs, root = raw(method, path, dict(Action=action, Version='2012-11-05', **params))
    testcase.assertEqual(status, 200, f'{action}: HTTP {status}: {ET.tostring(root)[:400]!r}')
    testcase.assertEqual(hdrs.get('Content-Type'), 'text/xml')
    testcase.assertEqual(root.tag, f'{NS}{action}Response')
    testcase.assertTrue(text(root, 'ResponseMetadata/RequestId'), 'RequestId missing')
    return root


# ----------------------------------------------------------------------------------------------- tests

class ErrorAssertions(unittest.TestCase):
    def assertAwsError(self, fn, code, message=None, status=400, contains=None):
        with self.assertRaises(ClientError) as cm:
            fn()
        err = cm.exception.response
        self.assertEqual(err['Error']['Code'], code, err)
        self.assertEqual(err['Error'].get('Type'), 'Sender', err)
        self.assertEqual(err['ResponseMetadata']['HTTPStatusCode'], status, err)
        self.assertTrue(err['ResponseMetadata'].get('RequestId'), 'error without RequestId')
        if message is not None:
            self.assertEqual(err['Error']['Message'], message)
        if contains is not None:
            self.assertIn(contains, err['Error']['Message'])
        return cm.exception


class T01Queues(ErrorAssertions):
    def test_create_get_url_delete(self):
        url = create('life')
        self.assertEqual(url, f'{ENDPOINT}/{ACCOUNT}/{qname("life")}')
        self.assertEqual(CLIENT.get_queue_url(QueueName=qname('life'))['QueueUrl'], url)
        self.assertEqual(CLIENT.get_queue_url(QueueName=qname('life'), QueueOwnerAWSAccountId=ACCOUNT)['QueueUrl'], url)
        # CreateQueue is idempotent with identical attributes; differing ones are QueueAlreadyExists.
        self.assertEqual(create('life'), url)
        self.assertAwsError(lambda: create('life', Attributes={'DelaySeconds': '5'}), 'QueueAlreadyExists',
                            'A queue already exists with the same name and a different value for attribute DelaySeconds')
        CLIENT.delete_queue(QueueUrl=url)
        e = self.assertAwsError(lambda: CLIENT.get_queue_url(QueueName=qname('life')),
                                'AWS.SimpleQueueService.NonExistentQueue', NONEXISTENT_MSG)
        self.assertIsInstance(e, CLIENT.exceptions.QueueDoesNotExist)

    def test_list_prefix_and_pagination(self):
        urls = [create(f'page-{i}') for i in range(3)]
        create('other')
        listed = CLIENT.list_queues(QueueNamePrefix=qname('page-'))
        self.assertEqual(sorted(listed['QueueUrls']), sorted(urls))
        self.assertNotIn('NextToken', listed)
        p1 = CLIENT.list_queues(QueueNamePrefix=qname('page-'), MaxResults=2)
        self.assertEqual(len(p1['QueueUrls']), 2)
        self.assertTrue(p1.get('NextToken'))
        p2 = CLIENT.list_queues(QueueNamePrefix=qname('page-'), MaxResults=2, NextToken=p1['NextToken'])
        self.assertEqual(len(p2['QueueUrls']), 1)
        self.assertNotIn('NextToken', p2)
        self.assertEqual(sorted(p1['QueueUrls'] + p2['QueueUrls']), sorted(urls))
        # The paginator drives NextToken by itself.
        pages = list(CLIENT.get_paginator('list_queues').paginate(
            QueueNamePrefix=qname('page-'), PaginationConfig={'PageSize': 1}))
        self.assertEqual(sorted(u for p in pages for u in p.get('QueueUrls', [])), sorted(urls))
        # No match: no QueueUrls at all.
        self.assertNotIn('QueueUrls', CLIENT.list_queues(QueueNamePrefix=qname('nomatch')))

    def test_invalid_queue_names(self):
        self.assertAwsError(lambda: CLIENT.create_queue(QueueName='bad name!'), 'InvalidParameterValue')
        self.assertAwsError(lambda: CLIENT.create_queue(QueueName=qname('std.fifo')), 'InvalidParameterValue')


class T02Attributes(ErrorAssertions):
    def test_defaults_all(self):
        url = create('attrs')
        a = CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['All'])['Attributes']
        expected = {
            'DelaySeconds': '0', 'MaximumMessageSize': '1048576', 'MessageRetentionPeriod': '345600',
            'ReceiveMessageWaitTimeSeconds': '0', 'VisibilityTimeout': '30', 'SqsManagedSseEnabled': 'true',
            'ApproximateNumberOfMessages': '0', 'ApproximateNumberOfMessagesNotVisible': '0',
            'ApproximateNumberOfMessagesDelayed': '0',
            'QueueArn': f'arn:aws:sqs:{REGION}:{ACCOUNT}:{qname("attrs")}',
        }
        for k, v in expected.items():
            self.assertEqual(a.get(k), v, k)
        self.assertNotIn('FifoQueue', a)
        now = time.time()
        for k in ('CreatedTimestamp', 'LastModifiedTimestamp'):
            self.assertTrue(a[k].isdigit(), a[k])
            self.assertLess(abs(int(a[k]) - now), 120, f'{k} should be epoch seconds: {a[k]}')
        # A subset returns exactly that subset.
        sub = CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['VisibilityTimeout', 'QueueArn'])
        self.assertEqual(set(sub['Attributes']), {'VisibilityTimeout', 'QueueArn'})
        # No names (absent, or an empty list sent as a bare `AttributeNames=`): no Attributes element.
        self.assertNotIn('Attributes', CLIENT.get_queue_attributes(QueueUrl=url))
        self.assertNotIn('Attributes', CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=[]))

    def test_create_with_attributes_and_set(self):
        url = create('attrs2', Attributes={'VisibilityTimeout': '45', 'DelaySeconds': '2'})
        a = CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['All'])['Attributes']
        self.assertEqual((a['VisibilityTimeout'], a['DelaySeconds']), ('45', '2'))
        CLIENT.set_queue_attributes(QueueUrl=url, Attributes={
            'VisibilityTimeout': '60', 'MessageRetentionPeriod': '3600', 'DelaySeconds': '0'})
        a = CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['All'])['Attributes']
        self.assertEqual((a['VisibilityTimeout'], a['MessageRetentionPeriod'], a['DelaySeconds']), ('60', '3600', '0'))
        # A policy with quotes survives the XML round trip unchanged.
        policy = json.dumps({'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Principal': '*', 'Action': 'sqs:SendMessage', 'Resource': a['QueueArn']}]})
        CLIENT.set_queue_attributes(QueueUrl=url, Attributes={'Policy': policy})
        got = CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['Policy'])['Attributes']['Policy']
        self.assertEqual(json.loads(got), json.loads(policy))

    def test_attribute_errors(self):
        url = create('attrs3')
        self.assertAwsError(lambda: CLIENT.set_queue_attributes(QueueUrl=url, Attributes={'Bogus': '1'}),
                            'InvalidAttributeName', 'Unknown Attribute Bogus.')
        self.assertAwsError(lambda: CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['Bogus']),
                            'InvalidAttributeName', 'Unknown Attribute Bogus.')
        self.assertAwsError(lambda: CLIENT.set_queue_attributes(QueueUrl=url, Attributes={'FifoQueue': 'true'}),
                            'InvalidAttributeName', 'Unknown Attribute FifoQueue.')
        self.assertAwsError(lambda: CLIENT.set_queue_attributes(QueueUrl=url, Attributes={'VisibilityTimeout': '43201'}),
                            'InvalidAttributeValue', contains='Invalid value for the parameter VisibilityTimeout.')
        self.assertAwsError(lambda: CLIENT.create_queue(QueueName=qname('attrs4'), Attributes={'DelaySeconds': '901'}),
                            'InvalidAttributeValue', contains='Invalid value for the parameter DelaySeconds.')
        self.assertAwsError(lambda: CLIENT.set_queue_attributes(QueueUrl=url, Attributes={'ContentBasedDeduplication': 'true'}),
                            'InvalidAttributeName', 'Unknown Attribute ContentBasedDeduplication.')
        self.assertAwsError(lambda: CLIENT.set_queue_attributes(QueueUrl=url, Attributes={'FifoThroughputLimit': 'perQueue'}),
                            'InvalidAttributeName',
                            'You can specify the FifoThroughputLimit only when FifoQueue is set to true.')
        # Nothing was changed by the failed calls.
        self.assertEqual(CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['VisibilityTimeout'])
                         ['Attributes']['VisibilityTimeout'], '30')


class T03Messages(ErrorAssertions):
    def test_send_receive_attributes_and_md5(self):
        url = create('msgs')
        attrs = {
            'Foo': {'DataType': 'String', 'StringValue': 'Bar'},
            'timestamp': {'DataType': 'Number', 'StringValue': '1493147359900'},
            'attr1': {'DataType': 'Binary',
                      'BinaryValue': b'traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01'},
            'Price': {'DataType': 'Number.float', 'StringValue': '-12.50'},
        }
        # XML-sensitive text: markup, entities, quotes, CR (AWS writes &#xD;), tab, C1 controls, non-BMP.
        body = '1+1=2 %20 h\u00e9llo <b>&amp;</b> ]]> "quoted" \'single\'\r\nline2\r\tend \x7f\x85 \U0001F600'
        sent = CLIENT.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attrs)
        self.assertEqual(sent['MD5OfMessageBody'], md5(body))
        self.assertEqual(sent['MD5OfMessageAttributes'], md5_of_attributes(attrs))
        self.assertNotIn('MD5OfMessageSystemAttributes', sent)
        self.assertNotIn('SequenceNumber', sent)
        uuid.UUID(sent['MessageId'])

        before_ms = int(time.time() * 1000)
        got = CLIENT.receive_message(QueueUrl=url, MessageAttributeNames=['All'], AttributeNames=['All'],
                                     MaxNumberOfMessages=10)
        self.assertEqual(len(got['Messages']), 1)
        m = got['Messages'][0]
        self.assertEqual(m['MessageId'], sent['MessageId'])
        self.assertEqual(m['Body'], body)  # exact, including \r, quotes, non-BMP characters
        self.assertEqual(m['MD5OfBody'], md5(body))
        self.assertTrue(m['ReceiptHandle'])
        self.assertEqual(m['MD5OfMessageAttributes'], sent['MD5OfMessageAttributes'])
        self.assertEqual(m['MessageAttributes']['Foo'], {'DataType': 'String', 'StringValue': 'Bar'})
        self.assertEqual(m['MessageAttributes']['timestamp'], {'DataType': 'Number', 'StringValue': '1493147359900'})
        self.assertEqual(m['MessageAttributes']['Price'], {'DataType': 'Number.float', 'StringValue': '-12.50'})
        self.assertEqual(m['MessageAttributes']['attr1']['DataType'], 'Binary')
        self.assertEqual(m['MessageAttributes']['attr1']['BinaryValue'], attrs['attr1']['BinaryValue'])
        # System attributes on receive.
        sa = m['Attributes']
        self.assertEqual(sa['ApproximateReceiveCount'], '1')
        self.assertTrue(sa['SenderId'])
        for k in ('SentTimestamp', 'ApproximateFirstReceiveTimestamp'):
            self.assertTrue(sa[k].isdigit(), sa[k])
            self.assertLess(abs(int(sa[k]) - before_ms), 120_000, f'{k} should be epoch ms: {sa[k]}')
        self.assertNotIn('MessageGroupId', sa)
        self.assertNotIn('DeadLetterQueueSourceArn', sa)

    def test_md5_vectors_recorded_against_aws(self):
        url = create('md5')
        vectors = [
            ({'Foo': {'DataType': 'String', 'StringValue': 'Bar'}}, 'ae7155c6026991b6d54b11589678bf9c'),
            ({'timestamp': {'DataType': 'Number', 'StringValue': '1493147359900'}}, '235c5c510d26fb653d073faed50ae77c'),
            ({'MyAttribute': {'DataType': 'String', 'StringValue': 'foobar'}}, 'adb59cd4678ea5a855436b949cd07ab6'),
            ({'attr1': {'DataType': 'Binary', 'BinaryValue':
                        b'traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01'}},
             '8cbe4db156db8a94db8b801b7addb984'),
            ({'Title': {'DataType': 'String', 'StringValue': 'The Whistler'},
              'Author': {'DataType': 'String', 'StringValue': 'John Grisham'},
              'WeeksOn': {'DataType': 'Number', 'StringValue': '6'}}, 'd25a6aea97eb8f585bfa92d314504a92'),
        ]
        for attrs, expected in vectors:
            self.assertEqual(md5_of_attributes(attrs), expected, 'suite MD5 helper disagrees with AWS vector')
            sent = CLIENT.send_message(QueueUrl=url, MessageBody='msg', MessageAttributes=attrs)
            self.assertEqual(sent['MD5OfMessageBody'], '6e2baaf3b97dbeef01c0043275f9a0e7')
            self.assertEqual(sent['MD5OfMessageAttributes'], expected, attrs)
        got = CLIENT.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=['All'])['Messages']
        self.assertEqual(sorted(m['MD5OfMessageAttributes'] for m in got), sorted(v for _, v in vectors))
        # AWSTraceHeader system attribute digest, and it does not change MD5OfMessageAttributes.
        trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'
        sent = CLIENT.send_message(QueueUrl=url, MessageBody='msg', MessageAttributes=vectors[0][0],
                                   MessageSystemAttributes={'AWSTraceHeader': {'DataType': 'String', 'StringValue': trace}})
        self.assertEqual(sent['MD5OfMessageSystemAttributes'], '5ae4d5d7636402d80f4eb6d213245a88')
        self.assertEqual(sent['MD5OfMessageAttributes'], 'ae7155c6026991b6d54b11589678bf9c')
        m = CLIENT.receive_message(QueueUrl=url, AttributeNames=['AWSTraceHeader'])['Messages'][0]
        self.assertEqual(m['Attributes'], {'AWSTraceHeader': trace})

    def test_attribute_name_filters_recompute_md5(self):
        url = create('filters')
        attrs = {n: {'DataType': 'String', 'StringValue': v}
                 for n, v in (('Help.Me', 'Me'), ('Hello', 'There'), ('General', 'Kenobi'))}
        sent = CLIENT.send_message(QueueUrl=url, MessageBody='msg', MessageAttributes=attrs)
        self.assertEqual(sent['MD5OfMessageAttributes'], '4c360f3fdafd970e05fae2f149d997f5')
        cases = [
            (['Hello', 'General'], {'General', 'Hello'}, 'fca026605781cb4126a1e9044df24232'),
            (['Hello'], {'Hello'}, 'a311262e065454b75da111d535b8dacd'),
            (['Hel.*'], {'Hello', 'Help.Me'}, '83fee93c1bcd8b9a5a923ffacdc636c7'),
            (['.*'], {'Hello', 'Help.Me', 'General'}, '4c360f3fdafd970e05fae2f149d997f5'),
        ]
        for names, keys, digest in cases:
            m = CLIENT.receive_message(QueueUrl=url, MessageAttributeNames=names, VisibilityTimeout=0)['Messages'][0]
            self.assertEqual(set(m['MessageAttributes']), keys, names)
            self.assertEqual(m['MD5OfMessageAttributes'], digest, names)
        # Unknown names only / no names: neither attributes nor their digest.
        # (botocore sends an empty list as a bare `MessageAttributeNames=`.)
        for kw in ({'MessageAttributeNames': ['Nope']}, {}, {'MessageAttributeNames': [], 'AttributeNames': []}):
            m = CLIENT.receive_message(QueueUrl=url, VisibilityTimeout=0, **kw)['Messages'][0]
            self.assertNotIn('MessageAttributes', m)
            self.assertNotIn('MD5OfMessageAttributes', m)
            self.assertNotIn('Attributes', m)

    def test_visibility_and_delete(self):
        url = create('vis')
        CLIENT.send_message(QueueUrl=url, MessageBody='v1')
        m1 = CLIENT.receive_message(QueueUrl=url, AttributeNames=['ApproximateReceiveCount'])['Messages'][0]
        self.assertEqual(m1['Attributes']['ApproximateReceiveCount'], '1')
        self.assertNotIn('Messages', CLIENT.receive_message(QueueUrl=url))  # in flight for 30 s
        self.assertEqual(counts(url), (0, 1))
        CLIENT.change_message_visibility(QueueUrl=url, ReceiptHandle=m1['ReceiptHandle'], VisibilityTimeout=0)
        self.assertEqual(counts(url), (1, 0))
        m2 = CLIENT.receive_message(QueueUrl=url, AttributeNames=['All'])['Messages'][0]
        self.assertEqual(m2['MessageId'], m1['MessageId'])
        self.assertEqual(m2['Attributes']['ApproximateReceiveCount'], '2')
        self.assertEqual(m2['Attributes']['ApproximateFirstReceiveTimestamp'],
                         m2['Attributes']['ApproximateFirstReceiveTimestamp'])
        self.assertNotEqual(m2['ReceiptHandle'], m1['ReceiptHandle'])
        CLIENT.delete_message(QueueUrl=url, ReceiptHandle=m2['ReceiptHandle'])
        self.assertEqual(counts(url), (0, 0))
        # A message no longer in flight: AWS answers 200 and leaves it visible (LocalStack aws.validated test).
        CLIENT.send_message(QueueUrl=url, MessageBody='v2')
        m3 = CLIENT.receive_message(QueueUrl=url, VisibilityTimeout=0)['Messages'][0]
        CLIENT.change_message_visibility(QueueUrl=url, ReceiptHandle=m3['ReceiptHandle'], VisibilityTimeout=10)
        self.assertEqual(counts(url), (1, 0))

    def test_delay_seconds(self):
        url = create('delay')
        CLIENT.send_message(QueueUrl=url, MessageBody='later', DelaySeconds=600)
        self.assertNotIn('Messages', CLIENT.receive_message(QueueUrl=url))
        a = CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['ApproximateNumberOfMessagesDelayed'])
        self.assertEqual(a['Attributes']['ApproximateNumberOfMessagesDelayed'], '1')
        self.assertAwsError(lambda: CLIENT.send_message(QueueUrl=url, MessageBody='x', DelaySeconds=901),
                            'InvalidParameterValue', contains='DelaySeconds')


class T04Batches(ErrorAssertions):
    def test_batches(self):
        url = create('batch', Attributes={'MaximumMessageSize': '1024'})
        res = CLIENT.send_message_batch(QueueUrl=url, Entries=[
            {'Id': 'a', 'MessageBody': 'alpha', 'MessageAttributes': {'Foo': {'DataType': 'String', 'StringValue': 'Bar'}}},
            {'Id': 'big', 'MessageBody': 'x' * 1025},
            {'Id': 'b', 'MessageBody': 'beta', 'DelaySeconds': 0},
        ])
        ok = {e['Id']: e for e in res['Successful']}
        self.assertEqual(set(ok), {'a', 'b'})
        self.assertEqual(ok['a']['MD5OfMessageBody'], md5('alpha'))
        self.assertEqual(ok['a']['MD5OfMessageAttributes'], 'ae7155c6026991b6d54b11589678bf9c')
        self.assertEqual(ok['b']['MD5OfMessageBody'], md5('beta'))
        self.assertNotIn('MD5OfMessageAttributes', ok['b'])
        self.assertEqual(len(res['Failed']), 1)
        f = res['Failed'][0]
        self.assertEqual(f['Id'], 'big')
        self.assertIs(f['SenderFault'], True)
        self.assertEqual(f['Code'], 'InvalidParameterValue')
        self.assertEqual(f['Message'], 'One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes.')

        got = CLIENT.receive_message(QueueUrl=url, MaxNumberOfMessages=10)['Messages']
        self.assertEqual(sorted(m['Body'] for m in got), ['alpha', 'beta'])
        handles = {m['Body']: m['ReceiptHandle'] for m in got}

        res = CLIENT.change_message_visibility_batch(QueueUrl=url, Entries=[
            {'Id': 'a', 'ReceiptHandle': handles['alpha'], 'VisibilityTimeout': 0},
            {'Id': 'bad', 'ReceiptHandle': 'garbage', 'VisibilityTimeout': 0},
        ])
        self.assertEqual([e['Id'] for e in res['Successful']], ['a'])
        self.assertEqual([(e['Id'], e['Code'], e['SenderFault']) for e in res['Failed']],
                         [('bad', 'ReceiptHandleIsInvalid', True)])
        self.assertEqual(counts(url), (1, 1))
        again = CLIENT.receive_message(QueueUrl=url)['Messages'][0]
        self.assertEqual(again['Body'], 'alpha')

        res = CLIENT.delete_message_batch(QueueUrl=url, Entries=[
            {'Id': 'a', 'ReceiptHandle': again['ReceiptHandle']},
            {'Id': 'b', 'ReceiptHandle': handles['beta']},
            {'Id': 'bad', 'ReceiptHandle': 'garbage'},
        ])
        self.assertEqual(sorted(e['Id'] for e in res['Successful']), ['a', 'b'])
        self.assertEqual(len(res['Failed']), 1)
        self.assertEqual(res['Failed'][0]['Code'], 'ReceiptHandleIsInvalid')
        self.assertEqual(res['Failed'][0]['Message'], 'The input receipt handle "garbage" is not a valid receipt handle.')
        self.assertEqual(counts(url), (0, 0))

    def test_batch_request_errors(self):
        url = create('batch2')
        self.assertAwsError(lambda: CLIENT.send_message_batch(QueueUrl=url, Entries=[
            {'Id': str(i), 'MessageBody': 'x'} for i in range(11)]),
            'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
            'Maximum number of entries per request are 10. You have sent 11.')
        self.assertAwsError(lambda: CLIENT.send_message_batch(QueueUrl=url, Entries=[
            {'Id': 'x', 'MessageBody': '1'}, {'Id': 'x', 'MessageBody': '2'}]),
            'AWS.SimpleQueueService.BatchEntryIdsNotDistinct')
        self.assertAwsError(lambda: CLIENT.delete_message_batch(QueueUrl=url, Entries=[
            {'Id': 'bad id!', 'ReceiptHandle': 'r'}]),
            'AWS.SimpleQueueService.InvalidBatchEntryId')
        self.assertAwsError(lambda: CLIENT.send_message_batch(QueueUrl=url, Entries=[]),
                            'AWS.SimpleQueueService.EmptyBatchRequest')
        self.assertEqual(counts(url), (0, 0))


class T05PurgeTags(ErrorAssertions):
    def test_purge(self):
        url = create('purge')
        for i in range(3):
            CLIENT.send_message(QueueUrl=url, MessageBody=f'p{i}')
        CLIENT.receive_message(QueueUrl=url)  # one in flight
        CLIENT.send_message(QueueUrl=url, MessageBody='delayed', DelaySeconds=300)
        CLIENT.purge_queue(QueueUrl=url)
        a = CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['All'])['Attributes']
        self.assertEqual((a['ApproximateNumberOfMessages'], a['ApproximateNumberOfMessagesNotVisible'],
                          a['ApproximateNumberOfMessagesDelayed']), ('0', '0', '0'))
        e = self.assertAwsError(lambda: CLIENT.purge_queue(QueueUrl=url),
                                'AWS.SimpleQueueService.PurgeQueueInProgress',
                                f'Only one PurgeQueue operation on {qname("purge")} is allowed every 60 seconds.',
                                status=403)
        self.assertIsInstance(e, CLIENT.exceptions.PurgeQueueInProgress)

    def test_permissions(self):
        url = create('perm')
        CLIENT.add_permission(QueueUrl=url, Label='let-them-send', AWSAccountIds=['111122223333', '444455556666'],
                              Actions=['SendMessage', 'ReceiveMessage'])
        policy = json.loads(CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['Policy'])['Attributes']['Policy'])
        [stmt] = [s for s in policy['Statement'] if s.get('Sid') == 'let-them-send']
        principals = stmt['Principal']['AWS']
        principals = principals if isinstance(principals, list) else [principals]
        self.assertEqual(sorted(principals), ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:root'])
        actions = stmt['Action'] if isinstance(stmt['Action'], list) else [stmt['Action']]
        self.assertEqual(sorted(actions), ['SQS:ReceiveMessage', 'SQS:SendMessage'])
        self.assertEqual(stmt['Resource'], arn_of(url))
        CLIENT.remove_permission(QueueUrl=url, Label='let-them-send')
        after = CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['Policy']).get('Attributes', {})
        self.assertNotIn('let-them-send', after.get('Policy', ''))

    def test_tags(self):
        url = create('tags', tags={'team': 'core', 'env': 'test'})
        self.assertEqual(CLIENT.list_queue_tags(QueueUrl=url)['Tags'], {'team': 'core', 'env': 'test'})
        CLIENT.tag_queue(QueueUrl=url, Tags={'env': 'prod', 'cost': 'a&b <c>'})
        self.assertEqual(CLIENT.list_queue_tags(QueueUrl=url)['Tags'],
                         {'team': 'core', 'env': 'prod', 'cost': 'a&b <c>'})
        CLIENT.untag_queue(QueueUrl=url, TagKeys=['team', 'cost'])
        self.assertEqual(CLIENT.list_queue_tags(QueueUrl=url)['Tags'], {'env': 'prod'})
        CLIENT.untag_queue(QueueUrl=url, TagKeys=['env'])
        self.assertNotIn('Tags', CLIENT.list_queue_tags(QueueUrl=url))


class T06DeadLetters(ErrorAssertions):
    def test_dlq_redrive_and_sources(self):
        dlq = create('dlq')
        dlq_arn = arn_of(dlq)
        src = create('dlqsrc', Attributes={'RedrivePolicy': json.dumps(
            {'deadLetterTargetArn': dlq_arn, 'maxReceiveCount': 1})})
        src_arn = arn_of(src)
        rp = json.loads(CLIENT.get_queue_attributes(QueueUrl=src, AttributeNames=['RedrivePolicy'])
                        ['Attributes']['RedrivePolicy'])
        self.assertEqual(rp, {'deadLetterTargetArn': dlq_arn, 'maxReceiveCount': 1})
        attrs = {'Foo': {'DataType': 'String', 'StringValue': 'Bar'}}
        sent = CLIENT.send_message(QueueUrl=src, MessageBody='poison', MessageAttributes=attrs)
        first = CLIENT.receive_message(QueueUrl=src, VisibilityTimeout=0, AttributeNames=['All'])['Messages'][0]
        self.assertEqual(first['Attributes']['ApproximateReceiveCount'], '1')
        # The second receive attempt moves it instead of returning it.
        self.assertNotIn('Messages', CLIENT.receive_message(QueueUrl=src, MaxNumberOfMessages=10))
        self.assertEqual(counts(src), (0, 0))
        moved = CLIENT.receive_message(QueueUrl=dlq, AttributeNames=['All'], MessageAttributeNames=['All'],
                                       VisibilityTimeout=0)['Messages'][0]
        self.assertEqual(moved['MessageId'], sent['MessageId'])
        self.assertEqual(moved['Body'], 'poison')
        self.assertEqual(moved['MD5OfMessageAttributes'], 'ae7155c6026991b6d54b11589678bf9c')
        self.assertEqual(moved['Attributes']['DeadLetterQueueSourceArn'], src_arn)
        self.assertEqual(moved['Attributes']['ApproximateReceiveCount'], '2')
        self.assertEqual(CLIENT.list_dead_letter_source_queues(QueueUrl=dlq)['queueUrls'], [src])
        # No sources: an empty result element, which botocore parses as no key at all.
        self.assertNotIn('queueUrls', CLIENT.list_dead_letter_source_queues(QueueUrl=src))

    def test_redrive_policy_errors(self):
        self.assertAwsError(lambda: create('dlqbad', Attributes={'RedrivePolicy': json.dumps(
            {'maxReceiveCount': 1})}), 'InvalidParameterValue')
        missing_arn = f'arn:aws:sqs:{REGION}:{ACCOUNT}:{qname("missing")}'
        self.assertAwsError(lambda: create('dlqbad', Attributes={'RedrivePolicy': json.dumps(
            {'deadLetterTargetArn': missing_arn, 'maxReceiveCount': 1})}),
            'InvalidParameterValue', contains='for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.')


class T07Fifo(ErrorAssertions):
    def test_group_order_lock_and_dedup(self):
        url = create('order.fifo', Attributes={'FifoQueue': 'true'})
        a = CLIENT.get_queue_attributes(QueueUrl=url, AttributeNames=['All'])['Attributes']
        self.assertEqual((a['FifoQueue'], a['ContentBasedDeduplication']), ('true', 'false'))
        self.assertAwsError(lambda: CLIENT.send_message(QueueUrl=url, MessageBody='x', MessageDeduplicationId='d'),
                            'MissingParameter', 'The request must contain the parameter MessageGroupId.')
        self.assertAwsError(lambda: CLIENT.send_message(QueueUrl=url, MessageBody='x', MessageGroupId='g'),
                            'InvalidParameterValue',
                            'The queue should either have ContentBasedDeduplication enabled or '
                            'MessageDeduplicationId provided explicitly')
        self.assertAwsError(lambda: CLIENT.send_message(QueueUrl=url, MessageBody='x', MessageGroupId='g',
                                                        MessageDeduplicationId='d', DelaySeconds=2),
                            'InvalidParameterValue', 'Value 2 for parameter DelaySeconds is invalid. Reason: '
                            'The request include parameter that is not valid for this queue type.')
        seqs = {}
        for body, group in (('a1', 'A'), ('b1', 'B'), ('a2', 'A'), ('a3', 'A')):
            r = CLIENT.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=body)
            self.assertTrue(r['SequenceNumber'].isdigit())
            seqs[body] = int(r['SequenceNumber'])
        self.assertLess(seqs['a1'], seqs['a2'])
        self.assertLess(seqs['a2'], seqs['a3'])
        # Duplicate within the window: accepted, not enqueued.
        dup = CLIENT.send_message(QueueUrl=url, MessageBody='a1-again', MessageGroupId='A', MessageDeduplicationId='a1')
        self.assertTrue(dup['MessageId'])
        self.assertEqual(counts(url), (4, 0))

        first = CLIENT.receive_message(QueueUrl=url, AttributeNames=['All'])['Messages'][0]
        self.assertEqual(first['Body'], 'a1')
        self.assertEqual(first['Attributes']['MessageGroupId'], 'A')
        self.assertEqual(first['Attributes']['MessageDeduplicationId'], 'a1')
        self.assertEqual(int(first['Attributes']['SequenceNumber']), seqs['a1'])
        # Group A is locked while a1 is in flight: only B is served.
        rest = CLIENT.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        self.assertEqual([m['Body'] for m in rest['Messages']], ['b1'])
        CLIENT.delete_message(QueueUrl=url, ReceiptHandle=first['ReceiptHandle'])
        nxt = CLIENT.receive_message(QueueUrl=url, MaxNumberOfMessages=10)['Messages']
        self.assertEqual([m['Body'] for m in nxt], ['a2', 'a3'])
        # The handle of a deleted message is refused.
        self.assertAwsError(lambda: CLIENT.change_message_visibility(QueueUrl=url, ReceiptHandle=first['ReceiptHandle'],
                                                                     VisibilityTimeout=0),
                            'InvalidParameterValue', contains='ReceiptHandle')

    def test_content_based_dedup_and_batch(self):
        url = create('cbd.fifo', Attributes={'FifoQueue': 'true', 'ContentBasedDeduplication': 'true'})
        r1 = CLIENT.send_message(QueueUrl=url, MessageBody='same', MessageGroupId='g')
        CLIENT.send_message(QueueUrl=url, MessageBody='same', MessageGroupId='g')
        self.assertTrue(r1['SequenceNumber'])
        res = CLIENT.send_message_batch(QueueUrl=url, Entries=[
            {'Id': '1', 'MessageBody': 'one', 'MessageGroupId': 'g'},
            {'Id': '2', 'MessageBody': 'two', 'MessageGroupId': 'g'},
        ])
        self.assertEqual(len(res['Successful']), 2)
        self.assertTrue(all(e['SequenceNumber'] for e in res['Successful']))
        got = CLIENT.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=['MessageDeduplicationId'])
        self.assertEqual([m['Body'] for m in got['Messages']], ['same', 'one', 'two'])
        self.assertEqual(got['Messages'][0]['Attributes']['MessageDeduplicationId'],
                         hashlib.sha256(b'same').hexdigest())
        self.assertAwsError(lambda: CLIENT.create_queue(QueueName=qname('nosuffix'), Attributes={'FifoQueue': 'true'}),
                            'InvalidParameterValue')


class T08MoveTasks(ErrorAssertions):
    """botocore 1.29's model has no move-task operations (no `client.start_message_move_task`), so they go
    out as raw SigV4-signed Query requests and the XML is read with ElementTree. (Raw requests stay valid
    Query even if a later query-era model had them.)"""

    def test_start_list_cancel(self):
        dlq = create('mvdlq')
        dlq_arn = arn_of(dlq)
        create('mvsrc', Attributes={'RedrivePolicy': json.dumps({'deadLetterTargetArn': dlq_arn, 'maxReceiveCount': '3'})})
        dest = create('mvdest')
        dest_arn = arn_of(dest)
        for i in range(6):
            CLIENT.send_message(QueueUrl=dlq, MessageBody=f'm{i}')

        root = raw_ok(self, 'StartMessageMoveTask', {'SourceArn': dlq_arn, 'DestinationArn': dest_arn,
                                                     'MaxNumberOfMessagesPerSecond': '1'})
        handle = text(root, 'StartMessageMoveTaskResult/TaskHandle')
        self.assertTrue(handle)

        # Only one active task per source.
        status, _, err = raw('POST', '/', {'Action': 'StartMessageMoveTask', 'Version': '2012-11-05',
                                           'SourceArn': dlq_arn, 'DestinationArn': dest_arn})
        self.assertEqual(status, 400)
        self.assertEqual(text(err, 'Error/Code'), 'InvalidParameterValue')
        self.assertEqual(text(err, 'Error/Message'), 'There is already a task running. Only one active task is '
                                                     'allowed for a source queue arn at a given time.')

        root = raw_ok(self, 'ListMessageMoveTasks', {'SourceArn': dlq_arn, 'MaxResults': '10'})
        entries = root.findall(_nspath('ListMessageMoveTasksResult/ListMessageMoveTasksResultEntry'))
        self.assertEqual(len(entries), 1)
        e = entries[0]
        self.assertEqual(text(e, 'Status'), 'RUNNING')
        self.assertEqual(text(e, 'TaskHandle'), handle)
        self.assertEqual(text(e, 'SourceArn'), dlq_arn)
        self.assertEqual(text(e, 'DestinationArn'), dest_arn)
        self.assertEqual(text(e, 'MaxNumberOfMessagesPerSecond'), '1')
        self.assertEqual(text(e, 'ApproximateNumberOfMessagesToMove'), '6')
        self.assertTrue(text(e, 'StartedTimestamp').isdigit())

        root = raw_ok(self, 'CancelMessageMoveTask', {'TaskHandle': handle})
        moved = int(text(root, 'CancelMessageMoveTaskResult/ApproximateNumberOfMessagesMoved'))
        self.assertTrue(0 <= moved < 6, moved)
        self.assertEqual(counts(dest)[0], moved)
        self.assertEqual(counts(dlq)[0], 6 - moved)

        root = raw_ok(self, 'ListMessageMoveTasks', {'SourceArn': dlq_arn})
        e = root.find(_nspath('ListMessageMoveTasksResult/ListMessageMoveTasksResultEntry'))
        self.assertEqual(text(e, 'Status'), 'CANCELLED')
        self.assertIsNone(text(e, 'TaskHandle'))

        # Errors over raw Query: cancelling again, a garbage handle, a source that is not a DLQ.
        status, _, err = raw('POST', '/', {'Action': 'CancelMessageMoveTask', 'Version': '2012-11-05', 'TaskHandle': handle})
        self.assertEqual((status, text(err, 'Error/Code'), text(err, 'Error/Message')),
                         (404, 'ResourceNotFoundException', 'Task does not exist.'))
        status, _, err = raw('POST', '/', {'Action': 'CancelMessageMoveTask', 'Version': '2012-11-05', 'TaskHandle': 'nope'})
        self.assertEqual((status, text(err, 'Error/Code'), text(err, 'Error/Message')),
                         (400, 'InvalidParameterValue', 'Value for parameter TaskHandle is invalid.'))
        status, _, err = raw('POST', '/', {'Action': 'StartMessageMoveTask', 'Version': '2012-11-05', 'SourceArn': dest_arn})
        self.assertEqual((status, text(err, 'Error/Code'), text(err, 'Error/Message')),
                         (400, 'InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.'))
        self.assertEqual(text(err, 'Error/Type'), 'Sender')


class T09Errors(ErrorAssertions):
    def test_queue_url_of_any_host(self):
        # Queues are addressed by the last two URL path segments, whatever the host (AWS-style URLs work).
        create('anyhost')
        for url in (f'https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{qname("anyhost")}',
                    f'http://localhost:4566/{ACCOUNT}/{qname("anyhost")}'):
            CLIENT.send_message(QueueUrl=url, MessageBody=url)
        self.assertEqual(counts(f'{ENDPOINT}/{ACCOUNT}/{qname("anyhost")}'), (2, 0))

    def test_nonexistent_queue(self):
        missing = f'{ENDPOINT}/{ACCOUNT}/{qname("missing")}'
        for fn in (lambda: CLIENT.get_queue_url(QueueName=qname('missing')),
                   lambda: CLIENT.send_message(QueueUrl=missing, MessageBody='x'),
                   lambda: CLIENT.receive_message(QueueUrl=missing),
                   lambda: CLIENT.delete_queue(QueueUrl=missing)):
            e = self.assertAwsError(fn, 'AWS.SimpleQueueService.NonExistentQueue', NONEXISTENT_MSG)
            self.assertIsInstance(e, CLIENT.exceptions.QueueDoesNotExist)

    def test_parameter_errors(self):
        url = create('errs')
        self.assertAwsError(lambda: CLIENT.receive_message(QueueUrl=url, MaxNumberOfMessages=11),
                            'InvalidParameterValue',
                            'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.')
        self.assertAwsError(lambda: CLIENT.receive_message(QueueUrl=url, WaitTimeSeconds=21),
                            'InvalidParameterValue',
                            'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.')
        self.assertAwsError(lambda: CLIENT.send_message(QueueUrl=url, MessageBody=''),
                            'MissingParameter', 'The request must contain the parameter MessageBody.')
        self.assertAwsError(lambda: CLIENT.delete_message(QueueUrl=url, ReceiptHandle='garbage'),
                            'ReceiptHandleIsInvalid', 'The input receipt handle "garbage" is not a valid receipt handle.')
        self.assertAwsError(lambda: CLIENT.send_message(QueueUrl=url, MessageBody='bad \x00 char'),
                            'InvalidMessageContents')
        self.assertAwsError(lambda: CLIENT.send_message(QueueUrl=url, MessageBody='x', MessageAttributes={
            'ErrorDetails': {'DataType': 'String', 'StringValue': ''}}),
            'InvalidParameterValue', "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.")
        self.assertEqual(counts(url), (0, 0))


class T10RawWire(ErrorAssertions):
    def test_post_to_queue_path_without_queue_url(self):
        url = create('raw')
        path = urllib.parse.urlparse(url).path
        self.assertEqual(path, f'/{ACCOUNT}/{qname("raw")}')
        root = raw_ok(self, 'SendMessage', {
            'MessageBody': 'old <sdk> & "style"',
            'MessageAttribute.1.Name': 'Foo', 'MessageAttribute.1.Value.DataType': 'String',
            'MessageAttribute.1.Value.StringValue': 'Bar'}, path=path)
        self.assertEqual(text(root, 'SendMessageResult/MD5OfMessageBody'), md5('old <sdk> & "style"'))
        self.assertEqual(text(root, 'SendMessageResult/MD5OfMessageAttributes'), 'ae7155c6026991b6d54b11589678bf9c')
        msg_id = text(root, 'SendMessageResult/MessageId')
        # The message is in the queue named by the path (seen through boto3).
        m = CLIENT.receive_message(QueueUrl=url, VisibilityTimeout=0, MessageAttributeNames=['All'])['Messages'][0]
        self.assertEqual((m['MessageId'], m['Body']), (msg_id, 'old <sdk> & "style"'))
        self.assertEqual(m['MessageAttributes']['Foo']['StringValue'], 'Bar')
        # The path of a missing queue is NonExistentQueue, in the Query error envelope.
        status, _, err = raw('POST', f'/{ACCOUNT}/{qname("nope")}',
                             {'Action': 'GetQueueAttributes', 'Version': '2012-11-05', 'AttributeName.1': 'All'})
        self.assertEqual((status, text(err, 'Error/Code'), text(err, 'Error/Message')),
                         (400, 'AWS.SimpleQueueService.NonExistentQueue', NONEXISTENT_MSG))
        self.assertEqual(err.tag, f'{NS}ErrorResponse')
        self.assertTrue(text(err, 'RequestId'))

    def test_get_with_query_string(self):
        url = create('rawget')
        CLIENT.send_message(QueueUrl=url, MessageBody='via get')
        root = raw_ok(self, 'ReceiveMessage', {'QueueUrl': url, 'AttributeName.1': 'All',
                                               'MaxNumberOfMessages': '5'}, method='GET')
        msgs = root.findall(_nspath('ReceiveMessageResult/Message'))
        self.assertEqual(len(msgs), 1)
        self.assertEqual(text(msgs[0], 'Body'), 'via get')
        self.assertEqual(text(msgs[0], 'MD5OfBody'), md5('via get'))
        attrs = {text(a, 'Name'): text(a, 'Value') for a in msgs[0].findall(NS + 'Attribute')}
        self.assertEqual(attrs['ApproximateReceiveCount'], '1')
        root = raw_ok(self, 'GetQueueUrl', {'QueueName': qname('rawget')}, method='GET')
        self.assertEqual(text(root, 'GetQueueUrlResult/QueueUrl'), url)
        # GET on the queue path, without QueueUrl.
        root = raw_ok(self, 'GetQueueAttributes', {'AttributeName.1': 'ApproximateNumberOfMessagesNotVisible'},
                      method='GET', path=urllib.parse.urlparse(url).path)
        attrs = {text(a, 'Name'): text(a, 'Value')
                 for a in root.findall(_nspath('GetQueueAttributesResult/Attribute'))}
        self.assertEqual(attrs, {'ApproximateNumberOfMessagesNotVisible': '1'})

    def test_unknown_action(self):
        status, _, err = raw('POST', '/', {'Action': 'FlyToTheMoon', 'Version': '2012-11-05'})
        self.assertEqual(status, 400)
        self.assertEqual(text(err, 'Error/Code'), 'InvalidAction')
        self.assertEqual(err.tag, f'{NS}ErrorResponse')


if __name__ == '__main__':
    print(f'botocore {botocore.__version__} ({CLIENT.meta.service_model.protocol} protocol) -> {ENDPOINT}, queues {RUN}-*')
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    if result.testsRun == 0:
        print('FAIL: no tests ran')
        sys.exit(1)
    sys.exit(0 if result.wasSuccessful() else 1)
