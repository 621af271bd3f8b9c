#!/usr/bin/python3
"""SNS error texts and idempotency of issue 12 as a Query client sees them (form-encoded requests, XML
errors parsed by botocore): Debian's python3-boto3 against the emulator URL given as argv[1].
Prints one JSON object: {check name: what boto3 saw}; the Node test compares it with the AWS-recorded values.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

url = sys.argv[1]
sns = boto3.client("sns", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")


def error(fn, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        return {"Code": e.response["Error"]["Code"], "Message": e.response["Error"]["Message"], "Status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


out = {}
topic = sns.create_topic(Name="query-fidelity", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])["TopicArn"]
out["idempotent"] = [sns.create_topic(Name="query-fidelity", **kw)["TopicArn"] == topic for kw in ({"Tags": [{"Key": "a", "Value": "1"}]}, {"Tags": []}, {})]
sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:query-fidelity-q", ReturnSubscriptionArn=True)["SubscriptionArn"]
out["redrive"] = error(sns.set_subscription_attributes, SubscriptionArn=sub, AttributeName="RedrivePolicy", AttributeValue="{invalidjson}")
out["filter"] = error(sns.set_subscription_attributes, SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue="{invalidjson}")
out["endpoint"] = error(sns.publish, TargetArn="arn:aws:sns:us-east-1:000000000000:endpoint/APNS/abcdef/0f7d5971-aa8b-4bd5-b585-0826e9f93a66", Message="m")
out["phone"] = error(sns.publish, PhoneNumber="+1a234", Message="m")
print(json.dumps(out))
