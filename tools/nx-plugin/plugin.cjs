// Nx plugin entry (CommonJS, because Nx 24 loads plugins with require()). The implementation is TypeScript; on Node 20
// Nx would need ts-node to load a .ts plugin, so this entry loads it through tsx's CommonJS API instead (tsx is already
// a dev dependency and runs the rest of the project). See src/create-nodes.ts for what the plugin infers.
//
// Nx (without its daemon, nx.json) infers the project graph on every command. Loading the TypeScript plugin (~0.6 s)
// and inferring (~0.7 s: YAML of every pipeline, code files of every stage) were a third of a fully cached
// `nx run pipelines:table1` (issue 14), so the result is kept in .alsg/cache/nx-plugin-nodes.json under a key over
// everything it is computed from: the plugin's options, the pipeline files' contents, the path, size and mtime of
// every file below libs/, the stages folder and this plugin, the yaml package's version and the ALSG_* variables that
// move folders. A hit needs neither tsx nor the TypeScript sources.
const { createHash } = require('node:crypto');
const { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

// The same glob as src/create-nodes.ts exports (nx-plugin.spec.ts checks), repeated so that a cache hit loads no TypeScript.
const PIPELINE_GLOB = 'pipelines/*.yaml';
const CACHE_FORMAT = 'alsg-nx-nodes-2';

let implementation;
const load = () => {
  if (!implementation) {
    const { require: tsxRequire } = require('tsx/cjs/api');
    implementation = tsxRequire('./src/create-nodes.ts', __filename);
  }
  return implementation;
};

/**
 * Appends path, size and mtime of every file below `dir` (sorted, node_modules and dot folders skipped) to `hash`.
 * Linked folders are followed (test workspaces link libs/ to the checkout's), each real folder once.
 */
function hashTree(hash, dir, seen = new Set()) {
  let real;
  try {
    real = realpathSync(dir);
  } catch {
    real = dir;
  }
  if (seen.has(real)) return;
  seen.add(real);
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    hash.update(`${dir}\0missing\0`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    let st;
    try {
      st = statSync(p);
    } catch {
      hash.update(`${p}\0gone\0`);
      continue;
    }
    if (st.isDirectory()) hashTree(hash, p, seen);
    else hash.update(`${p}\0${st.size}\0${st.mtimeMs}\0`);
  }
}

/** The cache key of one inference, or undefined when something cannot be read (then nothing is cached). */
function cacheKey(files, options, root) {
  try {
    const hash = createHash('sha256').update(CACHE_FORMAT).update('\0').update(JSON.stringify(options ?? {}));
    for (const name of ['ALSG_WORKSPACE', 'ALSG_STAGES_DIR']) hash.update(`\0${name}=${process.env[name] ?? ''}`);
    hash.update(`\0${root}\0`);
    for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
    hash.update(readFileSync(require.resolve('yaml/package.json', { paths: [__dirname] })));
    for (const dir of [join(root, 'libs'), resolve(root, process.env.ALSG_STAGES_DIR ?? 'stages'), __dirname]) hashTree(hash, dir);
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

async function createNodesCached(files, options, context) {
  const root = context.workspaceRoot;
  const cacheFile = join(root, '.alsg', 'cache', 'nx-plugin-nodes.json');
  const key = cacheKey(files, options, root);
  if (key !== undefined) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
      if (cached.key === key) return cached.result;
    } catch {
      // no cache yet, or a damaged one: inferred below
    }
  }
  const result = await load().createPipelineNodes(files, options, context);
  if (key !== undefined) {
    try {
      mkdirSync(join(root, '.alsg', 'cache'), { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ key, result }));
      renameSync(tmp, cacheFile);
    } catch {
      // read-only checkouts still work, only slower
    }
  }
  return result;
}

/** @type {import('nx/src/project-graph/plugins').CreateNodesV2} */
exports.createNodesV2 = [PIPELINE_GLOB, (files, options, context) => createNodesCached(files, options ?? {}, context)];
exports.name = 'alsg-pipelines';
