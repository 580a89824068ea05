export * from './accuracy';
export * from './ldl-metrics';
export * from './calibration';
export * from './seeds';
export * from './metrics-file';
