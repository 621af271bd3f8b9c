// Preloaded (node --require) into the npm cfn-lint (1.9.7, 2019) by test/e2e/export-checks.test.mjs: it calls
// util.isUndefined and its siblings, which Node 23 removed. Defines only the ones missing, as Node 22 had them.
const util = require('node:util');
const shims = {
  isArray: Array.isArray,
  isBoolean: (v) => typeof v === 'boolean',
  isBuffer: (v) => Buffer.isBuffer(v),
  isDate: (v) => v instanceof Date,
  isError: (v) => v instanceof Error,
  isFunction: (v) => typeof v === 'function',
  isNull: (v) => v === null,
  isNullOrUndefined: (v) => v === null || v === undefined,
  isNumber: (v) => typeof v === 'number',
  isObject: (v) => v !== null && typeof v === 'object',
  isPrimitive: (v) => v === null || (typeof v !== 'object' && typeof v !== 'function'),
  isRegExp: (v) => v instanceof RegExp,
  isString: (v) => typeof v === 'string',
  isSymbol: (v) => typeof v === 'symbol',
  isUndefined: (v) => v === undefined,
};
for (const [name, fn] of Object.entries(shims)) if (typeof util[name] !== 'function') util[name] = fn;
