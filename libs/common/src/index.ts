export * from './errors';
export * from './rng';
export * from './progress';
export * from './cli-flags';
