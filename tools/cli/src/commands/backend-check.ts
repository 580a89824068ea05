/**
 * Before any work: do the TF.js backends that the instances about to run name load on this machine? The paper profiles
 * name `tensorflow-gpu` (@tensorflow/tfjs-node-gpu), which cannot be installed everywhere (its install downloads
 * libtensorflow; docs/models.md); without this check `alsg run --profile paper` would ingest, extract and build graphs
 * for an hour and then fail in the first train instance.
 *
 * The package is loaded in a child process (from the workspace root, as stages resolve it): loading it pulls CUDA into
 * the process, which the CLI itself never needs, and a broken native install may crash rather than throw.
 */
import { spawnSync } from 'node:child_process';
import { AlsgError } from '@ldl-alsg/common';

/** Backend values of the train stage's `backend` param that need an optional native package. */
export const NATIVE_BACKENDS: Readonly<Record<string, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const INSTALL_HINT: Readonly<Record<string, string>> = {
  '@tensorflow/tfjs-node-gpu':
    'install it on a Linux machine with an NVIDIA driver, CUDA 11.2 and cuDNN 8 (npm install --no-save @tensorflow/tfjs-node-gpu@4.22.0, the version of @tensorflow/tfjs here; its install downloads libtensorflow, so it needs the internet)',
  '@tensorflow/tfjs-node':
    'install it (npm install --no-save @tensorflow/tfjs-node@4.22.0, the version of @tensorflow/tfjs here; its install downloads libtensorflow, so it needs the internet)',
};

/** Why `pkg` does not load from `root` (first line of the error), or undefined when it does. */
export function loadInChild(pkg: string, root: string): string | undefined {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pkg)});`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (r.status === 0) return undefined;
  if (r.error) return r.error.message;
  const line = (r.stderr ?? '').split('\n').find((l) => /Error|error:|Cannot find/.test(l)) ?? `exit ${r.status ?? r.signal}`;
  return line.trim().slice(0, 300);
}

/**
 * Throws one E_DEPENDENCY naming every native backend that the given instances need and that does not load, with the
 * instances that need it and how to install it. `load` is injectable for tests.
 */
export function checkBackends(
  instances: ReadonlyArray<{ address: string; params: Readonly<Record<string, unknown>> }>,
  root: string,
  context: string,
  load: (pkg: string, root: string) => string | undefined = loadInChild,
): void {
  const users = new Map<string, string[]>();
  for (const inst of instances) {
    const pkg = typeof inst.params.backend === 'string' ? NATIVE_BACKENDS[inst.params.backend] : undefined;
    if (pkg) users.set(pkg, [...(users.get(pkg) ?? []), inst.address]);
  }
  const problems: string[] = [];
  for (const [pkg, addresses] of users) {
    const why = load(pkg, root);
    if (why === undefined) continue;
    const backend = Object.keys(NATIVE_BACKENDS).find((b) => NATIVE_BACKENDS[b] === pkg);
    const shown = addresses.length > 3 ? `${addresses.slice(0, 3).join(', ')} and ${addresses.length - 3} more` : addresses.join(', ');
    problems.push(`backend ${backend} needs ${pkg}, which does not load here (${why}); used by ${shown}. To fix: ${INSTALL_HINT[pkg]}, or run a profile without it`);
  }
  if (problems.length) {
    throw new AlsgError('E_DEPENDENCY', `${context}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { packages: [...users.keys()] });
  }
}
