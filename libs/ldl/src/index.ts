export * from './reference-loss';
export * from './tf-loss';
export * from './similarity';
