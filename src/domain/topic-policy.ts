/**
 * The statement AWS puts in every new SNS topic's policy (the owner's account may do everything to it),
 * shared by the emulator (a new topic's `Policy`) and the CLI (a flow that adds statements keeps it, and
 * exports it). The resource and account are values of the caller's kind: strings, Terraform references or
 * CloudFormation intrinsics. Not here: the statements svl adds (queue, bucket), which their owners build.
 */
export const TOPIC_OWNER_ACTIONS = [
  'SNS:GetTopicAttributes',
  'SNS:SetTopicAttributes',
  'SNS:AddPermission',
  'SNS:RemovePermission',
  'SNS:DeleteTopic',
  'SNS:Subscribe',
  'SNS:ListSubscriptionsByTopic',
  'SNS:Publish',
];

export function defaultTopicStatement<R, A>(resource: R, account: A) {
  return {
    Sid: '__default_statement_ID',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: [...TOPIC_OWNER_ACTIONS],
    Resource: resource,
    Condition: { StringEquals: { 'AWS:SourceOwner': account } },
  };
}
