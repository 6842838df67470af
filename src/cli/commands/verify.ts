import type { Command } from '../command.js';
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine, write } from '../engine-flags.js';
import { parseFlags } from '../flags.js';

export const verify: Command = {
  name: 'verify',
  summary: 'check stored documents against their witnesses (all when no id is given)',
  usage: [
    'atlas verify [id...] [--json] [--store DIR]',
    '',
    'Re-reads every structure of each document, checks its SHA-256 and conservation, then the document hash.',
    'Exit code 1 when any document fails.',
    '  --json         one JSON line per document: {"id","ok","error"?}',
    ENGINE_USAGE,
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, ...ENGINE_FLAGS });
    const engine = await openEngine(values);
    let failed = 0;
    try {
      const reports = await engine.verify(positionals);
      for (const r of reports) {
        if (!r.ok) failed++;
        await write(io.stdout, values.json ? `${JSON.stringify(r)}\n` : r.ok ? `ok      ${r.id}\n` : `FAILED  ${r.id}: ${r.error}\n`);
      }
      if (!values.json) io.stderr.write(`${reports.length - failed} of ${reports.length} documents verified\n`);
    } finally {
      await engine.close();
    }
    return failed > 0 ? 1 : 0;
  },
};
