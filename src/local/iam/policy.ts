/** The resource-policy evaluator moved to src/domain/resource-policy.ts (svl doctor uses it too). */
export * from '../../domain/resource-policy.js';
