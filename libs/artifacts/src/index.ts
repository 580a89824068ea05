export * from './npy';
export * from './csv';
export * from './atomic';
