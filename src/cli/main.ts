import { AtlasError } from '../errors.js';
import { VERSION } from '../version.js';
import { UsageError, type CommandIO } from './command.js';
import { COMMANDS } from './commands.js';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'atlas: frame byte documents into Atlas-12288 structures and classify, cluster, witness and store them.',
    '',
    'usage: atlas <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'options:',
    '  -h, --help     help for atlas or a command (atlas <command> --help)',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failure, 2 usage error. Never prints a stack trace. */
export async function main(argv: string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.stdout.write(help());
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    io.stderr.write(`atlas: unknown command '${first}' (see atlas --help)\n`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    return report(err, command.name, io);
  }
}

function report(err: unknown, name: string, io: CommandIO): number {
  if (err instanceof UsageError) {
    io.stderr.write(`atlas ${name}: ${err.message} (see atlas ${name} --help)\n`);
    return 2;
  }
  if (err instanceof AtlasError) {
    io.stderr.write(`atlas ${name}: ${err.message}\n`);
    return 1;
  }
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  io.stderr.write(`atlas ${name}: ${code}${e?.message ?? String(err)}\n`);
  if (process.env.ATLAS_DEBUG) io.stderr.write(`${e?.stack ?? ''}\n`);
  return 1;
}
