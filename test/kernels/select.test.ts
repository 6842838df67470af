// Backend selection in a fresh process: the default order, ATLAS_BACKEND overrides, and loud failures.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'src', 'index.js');

function run(env: Record<string, string | undefined>): { status: number | null; out: string; err: string } {
  const script = `import(${JSON.stringify(ENTRY)}).then((m) => { const o = new Uint8Array(256); m.r96ClassifyPages(Uint8Array.from({length: 256}, (_, i) => i), o); console.log(m.backendName(), o[200]); })`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr };
}

describe('kernel backend selection', () => {
  it('picks native first when nothing is forced', () => {
    expect(run({ ATLAS_BACKEND: undefined }).out).toBe('native 8');
  });

  it.each(['native', 'wasm', 'js'])('ATLAS_BACKEND=%s is honoured by the main entry', (name) => {
    expect(run({ ATLAS_BACKEND: name }).out).toBe(`${name} 8`);
  });

  it('rejects an unknown ATLAS_BACKEND', () => {
    const r = run({ ATLAS_BACKEND: 'gpu' });
    expect(r.status).not.toBe(0);
    expect(r.err).toMatch(/ATLAS_BACKEND must be native, wasm or js/);
  });

  it('atlas info reports the backend', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'atlas.js'), 'info', '--json'], { env: { ...process.env, ATLAS_BACKEND: 'wasm' }, encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toMatchObject({ backend: 'wasm' });
  });

  it('atlas info names the field backend, and the CPU path says why it was chosen', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'atlas.js'), 'info', '--json'], { env: { ...process.env, ATLAS_FIELD_BACKEND: 'cpu' }, encoding: 'utf8' });
    expect(JSON.parse(r.stdout).fieldBackend).toMatch(/^cpu \(.+\)$/);
  });
});
