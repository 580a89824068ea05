export * from './accuracy';
export * from './ldl-metrics';
export * from './calibration';
export * from './seeds';
export * from './metrics-file';
export * from './run-info';
export * from './run-evaluation';
