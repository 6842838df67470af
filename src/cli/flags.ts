import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolveLayer } from '../holo/layers.js';
import { isAutoPolicy, type LayerPolicy } from '../holo/routing.js';
import { UsageError } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with our error style: unknown flags and wrong arity become one-line UsageErrors. */
export interface ParsedFlags {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export function parseFlags(argv: string[], options: Options, maxPositionals = Infinity, minPositionals = 0): ParsedFlags {
  let parsed: ParsedFlags;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split(/\n|\. /)[0]!);
  }
  const n = parsed.positionals.length;
  if (n > maxPositionals) throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`);
  if (n < minPositionals) throw new UsageError(`missing argument (expected at least ${minPositionals})`);
  return parsed;
}

/** An optional integer flag in min..max; a UsageError names the flag otherwise. */
export function intFlag(values: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(String(raw)) || n < min || n > max) throw new UsageError(`--${name} must be an integer in ${min}..${max}, got '${String(raw)}'`);
  return n;
}

/** --layer POLICY: 'auto' (the default) or a layer name or number; a UsageError names the flag otherwise. */
export function layerFlag(values: Record<string, unknown>): LayerPolicy {
  const layer = (values.layer as string | undefined) ?? 'auto';
  if (isAutoPolicy(layer)) return 'auto';
  try {
    resolveLayer(layer);
  } catch (err) {
    throw new UsageError(`--layer: ${(err as Error).message}`);
  }
  return layer;
}

/** The help lines of --layer, shared by the commands that take it. */
export const LAYER_USAGE = [
  '  --layer POLICY auto (default: by content), or a layer name or number 0..6: identity, knowledge, experience,',
  '                 preference, context, wisdom, vault (sealed with ATLAS_VAULT_KEY; fails without a key)',
];
