export * from './classes';
export * from './argmax';
