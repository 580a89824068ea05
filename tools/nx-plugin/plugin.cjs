// Nx plugin entry (CommonJS, because Nx 24 loads plugins with require()). The implementation is TypeScript; on Node 20
// Nx would need ts-node to load a .ts plugin, so this entry loads it through tsx's CommonJS API instead (tsx is already
// a dev dependency and runs the rest of the project). See src/create-nodes.ts for what the plugin infers.
const { require: tsxRequire } = require('tsx/cjs/api');

const { createPipelineNodes, PIPELINE_GLOB } = tsxRequire('./src/create-nodes.ts', __filename);

/** @type {import('nx/src/project-graph/plugins').CreateNodesV2} */
exports.createNodesV2 = [PIPELINE_GLOB, (files, options, context) => createPipelineNodes(files, options ?? {}, context)];
exports.name = 'alsg-pipelines';
