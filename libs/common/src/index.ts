export * from './errors';
export * from './rng';
export * from './progress';
