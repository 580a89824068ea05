/**
 * @ldl-alsg/artifacts: npy and CSV reading and writing, atomic file writes (docs/contracts.md). These named exports
 * are the public API; everything else is internal.
 */
export { encodeNpyHeader, writeNpy, readNpy, type NpyDtype, type NpyData, type NpyArray, NpyRowWriter } from './npy';
export { parseCsv, readCsv, requireColumns, formatCsv, type CsvRow, type CsvTable } from './csv';
export { writeFileAtomic, writeJsonAtomic } from './atomic';
