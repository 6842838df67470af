// Shared benchmark helpers: the machine's name, tinybench medians of 30 runs, and the JSON + markdown writers.
// A "run" is one tinybench sample: one call of a task that repeats its operation `inner` times, so timer overhead
// stays far below the measured time; the reported figure is the median over 30 such runs, divided by `inner`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { Bench, hrtimeNow } from 'tinybench';
import { PACKAGE_ROOT } from '../src/package-root.js';

export const RUNS = 30;

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly features: string;
  readonly node: string;
  readonly platform: string;
  /** CPU busy (all cores, %) over the second before the measurements started: other work skews the numbers. */
  readonly busyPercent: number;
}

/** The CPU as lscpu names it, its core count, and the SIMD/SHA features that decide kernel speed. */
/** Busy share of all cores over `ms`, from /proc/stat (NaN where there is none). */
async function busyPercent(ms = 1000): Promise<number> {
  const sample = (): number[] => {
    try {
      return readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    } catch {
      return [];
    }
  };
  const a = sample();
  await new Promise((r) => setTimeout(r, ms));
  const b = sample();
  if (a.length < 5 || b.length < 5) return Number.NaN;
  const total = b.reduce((x, y) => x + y, 0) - a.reduce((x, y) => x + y, 0);
  const idle = b[3]! + b[4]! - (a[3]! + a[4]!);
  return total > 0 ? (100 * (total - idle)) / total : Number.NaN;
}

/** Waits (up to maxSeconds) until the cores are less than `below` % busy, so a bench does not race other work. */
export async function waitForQuiet(below = 15, maxSeconds = 30): Promise<void> {
  for (let waited = 0; waited < maxSeconds; waited++) {
    const busy = await busyPercent();
    if (!(busy >= below)) return;
    process.stderr.write(`cores ${busy.toFixed(0)}% busy: waiting for the machine to quiet down\n`);
  }
}

export async function machine(): Promise<Machine> {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const model = /^Model name:\s*(.+)$/m.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1];
    if (model) cpu = model.trim();
  } catch {
    // lscpu is missing: keep os.cpus()'s name
  }
  let features = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm').exec(info)?.[1]?.trim();
    const flags = new Set(field('flags')?.split(' ') ?? []);
    features = ['sse4_2', 'avx2', 'avx512f', 'avx512bw', 'gfni', 'sha_ni'].filter((f) => flags.has(f)).join(' ');
    // A VM often names its CPU only "AMD EPYC": family, model and clock tell the generations apart.
    const mhz = field('cpu MHz');
    cpu += ` (family ${field('cpu family') ?? '?'} model ${field('model') ?? '?'}${mhz ? `, ${Math.round(Number(mhz))} MHz` : ''})`;
  } catch {
    // not Linux
  }
  const busy = await busyPercent();
  return { cpu, cores: cpus().length, features, node: process.version, platform: `${process.platform}-${process.arch}`, busyPercent: busy };
}

export interface Measurement {
  readonly group: string;
  readonly name: string;
  /** Median time of one operation, in nanoseconds. */
  readonly medianNs: number;
  readonly p99Ns: number;
  readonly opsPerSec: number;
  /** Bytes per operation, when the operation has a size; gives GB/s (10^9 bytes per second). */
  readonly bytes?: number;
  readonly gbps?: number;
  readonly runs: number;
}

export interface Case {
  readonly name: string;
  readonly op: () => unknown;
  readonly bytes?: number;
  /** Runs before each run's inner loop (e.g. selects a CPU variant); not timed per operation. */
  readonly enter?: () => void;
}

let sink: unknown;

/** Median-of-30 timing of each case, all in one tinybench run so baselines and backends share the conditions. */
export async function measure(group: string, cases: readonly Case[], targetRunMs = 1): Promise<Measurement[]> {
  const bench = new Bench({ name: group, iterations: RUNS, time: 0, warmupIterations: 5, warmupTime: 0, now: hrtimeNow });
  const inner = new Map<string, number>();
  for (const c of cases) {
    // Size the inner loop so one run takes about targetRunMs.
    c.enter?.();
    const t0 = hrtimeNow();
    let calls = 0;
    while (hrtimeNow() - t0 < 2) (sink = c.op()), calls++;
    const n = Math.max(1, Math.round((calls * targetRunMs) / (hrtimeNow() - t0)));
    inner.set(c.name, n);
    bench.add(c.name, () => {
      c.enter?.();
      for (let i = 0; i < n; i++) sink = c.op();
    });
  }
  await bench.run();
  return bench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${group}/${task.name}: ${r.state}`);
    const n = inner.get(task.name)!;
    const c = cases.find((x) => x.name === task.name)!;
    const medianNs = ((r.latency.p50 ?? r.latency.mean) * 1e6) / n;
    const p99Ns = ((r.latency.p99 ?? r.latency.max) * 1e6) / n;
    return {
      group,
      name: task.name,
      medianNs,
      p99Ns,
      opsPerSec: 1e9 / medianNs,
      ...(c.bytes === undefined ? {} : { bytes: c.bytes, gbps: c.bytes / medianNs }),
      runs: r.latency.samplesCount,
    };
  });
}

/** Deterministic pseudo-random bytes (xorshift32), so every run measures the same data. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) (s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (out[i] = s & 255);
  return out;
}

export function sinkValue(): unknown {
  return sink;
}

function formatNs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(1)} ns`;
}

/** One markdown table per group; `speedupOver` names the baseline row of each group. */
export function markdownTable(rows: readonly Measurement[], speedupOver: (group: string) => string | undefined): string {
  const out: string[] = [];
  for (const group of [...new Set(rows.map((r) => r.group))]) {
    const inGroup = rows.filter((r) => r.group === group);
    const base = inGroup.find((r) => r.name === speedupOver(group));
    out.push(`### ${group}`, '', '| implementation | median per op | p99 per op | throughput | vs baseline |', '|---|---|---|---|---|');
    for (const r of inGroup) {
      const rate = r.gbps === undefined ? `${(r.opsPerSec / 1e6).toFixed(2)} M ops/s` : `${r.gbps.toFixed(2)} GB/s`;
      const ratio = base ? `${(base.medianNs / r.medianNs).toFixed(1)}x` : '';
      out.push(`| ${r.name} | ${formatNs(r.medianNs)} | ${formatNs(r.p99Ns)} | ${rate} | ${ratio} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores (${m.features || 'no feature flags read'}), Node ${m.node}, ${m.platform}; cores ${m.busyPercent.toFixed(0)}% busy just before the run`;
}

/** Writes test-artifacts/bench/<name>.json (the raw numbers) and the markdown report at docsPath. */
export function writeReport(name: string, docsPath: string, markdown: string, rows: readonly Measurement[], m: Machine): void {
  const json = join(PACKAGE_ROOT, 'test-artifacts', 'bench', `${name}.json`);
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, `${JSON.stringify({ name, machine: m, runs: RUNS, date: new Date().toISOString(), results: rows }, null, 2)}\n`);
  const doc = join(PACKAGE_ROOT, docsPath);
  mkdirSync(dirname(doc), { recursive: true });
  writeFileSync(doc, markdown);
  process.stdout.write(`${markdown}\nwrote ${docsPath} and ${json}\n`);
}
