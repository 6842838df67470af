/** One `atlas` subcommand. Each lives in its own file under src/cli/commands/ and is listed in src/cli/commands.ts. */
export interface Command {
  readonly name: string;
  /** One line for `atlas --help`. */
  readonly summary: string;
  /** Full text for `atlas <name> --help`. */
  readonly usage: string;
  /** Returns the exit code. Throw a UsageError for bad flags or arguments. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

export interface CommandIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
