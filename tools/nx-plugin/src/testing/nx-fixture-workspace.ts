/**
 * A throwaway Nx workspace for tests and benchmarks: the fixture stages as Nx projects, this plugin, the given
 * pipelines, and one git commit on `main` (for `nx affected`). Nx runs offline, daemonless, temp files inside.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKOUT_ROOT, createFixtureWorkspace, type FixtureWorkspace } from '../../../../libs/pipeline/src/fixtures/fixture-workspace';

export interface NxFixtureWorkspace extends FixtureWorkspace {
  /** Runs nx in the workspace; throws with its output when it exits non-zero. Returns stdout + stderr. */
  nx(...args: string[]): string;
  /** Runs alsg in the workspace; same contract as nx(). */
  alsg(...args: string[]): string;
  /** Runs git in the workspace. */
  git(...args: string[]): void;
}

/** Creates the workspace with `pipelines` (name -> YAML) committed. */
export function createNxFixtureWorkspace(pipelines: Record<string, string>): NxFixtureWorkspace {
  const ws = createFixtureWorkspace({
    prefix: 'alsg-nx-',
    nxJson: { neverConnectToCloud: true, analytics: false, useDaemonProcess: false, plugins: ['./tools/nx-plugin/plugin.cjs'] },
  });
  mkdirSync(join(ws.root, 'tools'));
  symlinkSync(join(CHECKOUT_ROOT, 'tools/nx-plugin'), join(ws.root, 'tools/nx-plugin'));
  symlinkSync(join(CHECKOUT_ROOT, 'bin'), join(ws.root, 'bin'));
  writeFileSync(join(ws.root, 'package.json'), JSON.stringify({ name: 'ws', private: true, type: 'module', workspaces: ['stages/*'] }));
  writeFileSync(join(ws.root, 'pipelines/project.json'), JSON.stringify({ name: 'pipelines', root: 'pipelines' }));
  writeFileSync(join(ws.root, '.gitignore'), 'node_modules\n.alsg\n.nx\n');
  for (const [name, yaml] of Object.entries(pipelines)) ws.writePipeline(name, yaml);
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: ws.root, stdio: 'ignore' });
  };
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  const env = {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_SOCKET_DIR: join(ws.root, '.nx/socket'),
    NX_NATIVE_FILE_CACHE_DIRECTORY: join(ws.root, '.nx/native'),
    ALSG_WORKSPACE: '',
    ALSG_STORE: '',
  };
  const run = (script: string, args: string[]): string => {
    const r = spawnSync(process.execPath, [script, ...args], { cwd: ws.root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout + r.stderr;
  };
  return {
    ...ws,
    nx: (...args) => run(join(CHECKOUT_ROOT, 'node_modules/nx/dist/bin/nx.js'), args),
    alsg: (...args) => run(join(CHECKOUT_ROOT, 'bin/alsg.mjs'), args),
    git,
  };
}
