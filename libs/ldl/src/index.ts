export * from './reference-loss';
export * from './tf-loss';
