export * from './csv-reader';
export * from './locate';
export * from './image-check';
export * from './openface-runner';
export * from './feature-extraction';
export * from './face-api-extractor';
export * from './draw-landmarks';
export * from './extract';
