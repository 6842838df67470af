// Runs the RUN lines of every ir/*.ll (opt | llc | FileCheck-14, x86-64 baseline, x86-64-v3 and wasm32).
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const IR = join(import.meta.dirname, '..', '..', 'ir');
const files = readdirSync(IR).filter((f) => f.endsWith('.ll'));

describe('ir/ FileCheck', () => {
  it('has the LLVM 14 tools (a missing tool fails, it does not skip)', () => {
    for (const tool of ['opt', 'llc', 'FileCheck-14']) expect(() => execFileSync('sh', ['-c', `command -v ${tool}`])).not.toThrow();
  });

  it('finds both kernel files', () => {
    expect(files).toEqual(expect.arrayContaining(['conserved.ll', 'r96.ll']));
  });

  describe.each(files)('%s', (file) => {
    const path = join(IR, file);
    const text = readFileSync(path, 'utf8');
    const runs = [...text.matchAll(/^; RUN: (.*)$/gm)].map((m) => m[1]!.replaceAll('%s', path));

    it('is target-free, typed-pointer and stack-free IR', () => {
      expect(text).not.toMatch(/^target (triple|datalayout)/m);
      expect(text).not.toMatch(/\balloca\b/);
      expect(text).not.toMatch(/\bptr\b/);
      expect(runs.length).toBe(3);
    });

    it.each(runs)('%s', (cmd) => {
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    it('every exported kernel has CHECK-LABEL lines for x86-64 and wasm32', () => {
      for (const [, name] of text.matchAll(/^define (?:\S+ )+@(ak_\w+)\(/gm)) {
        expect(text).toContain(`; X64-LABEL: ${name!}:`);
        expect(text).toContain(`; WASM-LABEL: ${name!}:`);
      }
    });
  });
});
