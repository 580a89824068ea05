import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { installWasmFixes } from './wasm/install';

/** Which TensorFlow.js backend to run on; 'auto' tries them in the order listed in {@link initBackend}. */
export type BackendPreference = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Provenance of the backend that was selected (record it in stage.json). */
export interface BackendInfo {
  /** tf.getBackend() after selection: 'tensorflow' (tfjs-node or tfjs-node-gpu), 'wasm' or 'cpu'. */
  readonly name: string;
  /** Version of the package that provides the backend (e.g. '4.22.0'). */
  readonly version: string;
  /** Human-readable detail: package, SIMD/threads, which workarounds were installed, why earlier choices failed. */
  readonly detail: string;
  /**
   * One short line for logs, e.g. "wasm 4.22.0 (simd, 1 thread, 4 kernel fixes; tensorflow-gpu, tensorflow not
   * available)": stages log this once per instance and keep `detail` in stage.json (ctx.record).
   */
  readonly summary: string;
}

const NODE_PACKAGES = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' } as const;

/**
 * Select and initialise the TensorFlow.js backend at run time.
 *
 * 'auto' tries, in order: `@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node` (both optional: they cannot be installed
 * on the project's machines, so they are imported dynamically and a failure only moves on), then the wasm backend
 * (its .wasm binaries are located inside node_modules), then the pure-JS cpu backend. A named preference must succeed
 * or an `E_DEPENDENCY` error explains why it could not.
 *
 * On wasm (and cpu) this also installs the kernel workarounds of `./wasm/install` (transposed matmul slow path, conv
 * training by forward convolutions); they are idempotent.
 *
 * @param preference backend to use; default 'auto'.
 * @returns name, version and detail of the selected backend, for provenance.
 */
export async function initBackend(preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  const order: Exclude<BackendPreference, 'auto'>[] =
    preference === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [preference];
  const failures: string[] = [];
  for (const choice of order) {
    try {
      const info = await tryBackend(choice);
      const skipped = failures.length ? `; skipped: ${failures.join('; ')}` : '';
      const notAvailable = failures.length ? `; ${failures.map((f) => f.split(':')[0]).join(', ')} not available` : '';
      const summary = `${info.name} ${info.version} (${info.short}${notAvailable})`;
      return { name: info.name, version: info.version, detail: info.detail + skipped, summary };
    } catch (err) {
      failures.push(`${choice}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new AlsgError('E_DEPENDENCY', `initBackend: backend '${preference}' is not available (${failures.join('; ')})`, {
    preference,
    failures,
  });
}

/**
 * Initialises one backend. Its plain Errors never reach the user as such: initBackend catches every one and reports the
 * choices that failed in a single E_DEPENDENCY.
 */
async function tryBackend(choice: Exclude<BackendPreference, 'auto'>): Promise<Omit<BackendInfo, 'summary'> & { short: string }> {
  if (choice === 'tensorflow-gpu' || choice === 'tensorflow') {
    const pkg = NODE_PACKAGES[choice];
    // A variable specifier keeps bundlers and tsc from requiring the optional package.
    const mod: { version?: Record<string, string> } = await import(/* @vite-ignore */ pkg as string);
    // tfjs-node registers 'tensorflow' in the engine of the @tensorflow/tfjs-core it resolves; if that is not our copy
    // (a version mismatch) setBackend fails here rather than silently training on another engine.
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but setBackend('tensorflow') failed`);
    await tf.ready();
    const version = mod.version?.['tfjs-node'] ?? tf.version.tfjs;
    return { name: tf.getBackend(), version, detail: `${pkg}`, short: pkg };
  }
  if (choice === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDir() + '/');
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) failed');
    await tf.ready();
    const fixes = installWasmFixes();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return {
      name: 'wasm',
      version: wasm.version_wasm,
      detail: `@tensorflow/tfjs-backend-wasm, simd=${simd}, threads=${wasm.getThreadsCount()}, fixes=[${fixes.join(', ')}]`,
      short: `${simd ? 'simd' : 'no simd'}, ${wasm.getThreadsCount()} thread${wasm.getThreadsCount() === 1 ? '' : 's'}, ${fixes.length} kernel fixes`,
    };
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('setBackend(cpu) failed');
  await tf.ready();
  const fixes = installWasmFixes();
  return {
    name: 'cpu',
    version: tf.version['tfjs-backend-cpu'] ?? tf.version.tfjs,
    detail: `@tensorflow/tfjs-backend-cpu (pure JS), fixes=[${fixes.join(', ')}]`,
    short: `pure JS, ${fixes.length} kernel fixes`,
  };
}

/** Folder holding tfjs-backend-wasm's .wasm binaries (they ship in the npm package; no network needed). */
export function wasmDir(): string {
  const req = createRequire(import.meta.url);
  return join(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}
