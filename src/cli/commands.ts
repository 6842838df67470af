import type { Command } from './command.js';
import { info } from './commands/info.js';

export const COMMANDS: readonly Command[] = [info];
