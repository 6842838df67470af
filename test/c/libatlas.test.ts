// Builds libatlas and its C tests (plain, then ASan + UBSan) and runs them: spec vectors, FIPS 180-4 SHA-256,
// property tests, and 1000-thread budget and commit races.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function make(target: string): { status: number | null; out: string } {
  const r = spawnSync('make', ['-s', '-C', ROOT, target], { encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('libatlas (C ABI)', () => {
  it('builds libatlas.a and libatlas.so exporting the whole ABI and no kernel internals', () => {
    expect(make('lib').status).toBe(0);
    const symbols = execFileSync('nm', ['-D', '--defined-only', join(ROOT, 'dist', 'native', 'libatlas.so')], { encoding: 'utf8' });
    const exported = new Set(symbols.split('\n').map((l) => l.trim().split(/\s+/)[2]).filter(Boolean));
    for (const name of [
      'atlas_get_api_version', 'atlas_get_last_error', 'atlas_domain_create', 'atlas_domain_attach', 'atlas_domain_verify',
      'atlas_domain_commit', 'atlas_domain_destroy', 'atlas_budget_alloc', 'atlas_budget_release', 'atlas_witness_generate',
      'atlas_witness_verify', 'atlas_witness_destroy', 'atlas_conserved_delta', 'atlas_r96_classify_page', 'atlas_r96_histogram_page',
      'atlas_cluster_by_resonance', 'atlas_cluster_destroy', 'atlas_next_harmonic_window_from',
    ]) {
      expect(exported, name).toContain(name);
    }
    expect([...exported].filter((s) => s!.startsWith('ak_'))).toEqual([]);
  });

  it.each(['c-test', 'c-test-asan'])('make %s passes', (target) => {
    const { status, out } = make(target);
    expect(out).toMatch(/libatlas: \d{4,} checks, 0 failed/);
    expect(out).not.toMatch(/AddressSanitizer|runtime error|LeakSanitizer/);
    expect(status).toBe(0);
  });
});
