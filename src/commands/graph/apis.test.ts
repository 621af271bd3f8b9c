import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiInfo } from '../../aws/apis-inventory.js';
import type { GraphNode } from '../../aws/inventory-model.js';
import { renderApisTree } from '../status/apis.js';
import { dotApis, mermaidApis } from './apis.js';

const apis: ApiInfo[] = [
  {
    id: 'a1',
    name: 'users',
    flow: 'users',
    url: 'http://a1.execute-api.localhost:4566/',
    cors: false,
    routes: [
      { route: 'POST /users', function: 'users-create', authorizer: 'roles', authorizerFunction: 'auth' },
      { route: 'GET /users/{id}', function: 'users-get', authorizer: null, authorizerFunction: null },
    ],
    publishes: { 'users-create': ['new-user-added-topic'] },
  },
];
const nodes: GraphNode[] = [{ id: 'arn:aws:sns:us-east-1:0:new-user-added-topic', kind: 'topic', name: 'new-user-added-topic' }];

test('graph text: routes -> functions -> topics, with authorizers', () => {
  assert.equal(
    renderApisTree(apis),
    [
      'API users (a1)  http://a1.execute-api.localhost:4566/',
      '├─ POST /users → λ users-create → topic new-user-added-topic  [authorizer roles → λ auth]',
      '└─ GET /users/{id} → λ users-get',
    ].join('\n'),
  );
});

test('graph mermaid and dot: the API, a route edge per route, the publish edge to the existing topic node', () => {
  const m = mermaidApis(apis, nodes);
  assert.ok(m.includes('  api_users_a1[/"API users"/]'));
  assert.ok(m.includes('  api_users_a1 -->|"POST /users [roles]"| fn_users_create'));
  assert.ok(m.includes('  api_users_a1 -->|"GET /users/{id}"| fn_users_get'));
  assert.ok(m.some((l) => /^ {2}fn_users_create -->\|"publishes"\| \w+new_user_added_topic$/.test(l)), m.join('\n'));
  const d = dotApis(apis, nodes);
  assert.ok(d.includes('  "api_users_a1" [label="API users", shape=parallelogram];'));
  assert.ok(d.includes('  "api_users_a1" -> "fn_users_create" [label="POST /users [roles]"];'));
});
