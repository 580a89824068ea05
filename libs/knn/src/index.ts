export * from './options';
export * from './features';
export * from './rank';
export * from './native';
export * from './graph';
export { sampleRows, indexDescription, type SearchInfo, type RecallInfo } from './search';
export * from './landmarks';
export * from './diagnostics';
