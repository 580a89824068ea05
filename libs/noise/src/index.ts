export * from './select';
export * from './flip';
export * from './noisy-labels';
