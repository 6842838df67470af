/** Error codes of the Atlas ABI. The first six are the seed enum; codes are appended, never renumbered. */
export const ErrorCode = Object.freeze({
  OK: 0,
  CONSERVATION: 1,
  WITNESS: 2,
  BUDGET: 3,
  MEMORY: 4,
  STATE: 5,
  INVALID: 6,
  DESTROYED: 7,
} as const);

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export type ErrorName = keyof typeof ErrorCode;

const NAMES: readonly ErrorName[] = ['OK', 'CONSERVATION', 'WITNESS', 'BUDGET', 'MEMORY', 'STATE', 'INVALID', 'DESTROYED'];

const MESSAGES: readonly string[] = [
  'ok',
  'conservation law violated (sum mod 96 != 0, or the data changed)',
  'witness verification failed',
  'budget exhausted or out of bounds',
  'memory allocation failed',
  'invalid state transition',
  'invalid argument',
  'domain destroyed',
];

// Only integer indices: MESSAGES['length'] must not pass for a message, nor a Symbol break the template.
export function errorString(code: number): string {
  return (Number.isInteger(code) ? MESSAGES[code] : undefined) ?? `unknown error code ${String(code)}`;
}

export function errorName(code: number): string {
  return (Number.isInteger(code) ? NAMES[code] : undefined) ?? `E${String(code)}`;
}

/** Every failure of the TypeScript contract is an AtlasError with a numeric code from ErrorCode. */
export class AtlasError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, detail?: string) {
    super(detail ? `${errorName(code)}: ${String(detail)}` : `${errorName(code)}: ${errorString(code)}`);
    this.name = 'AtlasError';
    this.code = code;
  }
}

// Module state is per thread: every worker_thread loads its own copy, which is what "per-thread last error" means.
let lastError: ErrorCode = ErrorCode.OK;

/** The code of the most recent failure in this thread (OK after a successful call of a code-returning function). */
export function getLastError(): ErrorCode {
  return lastError;
}

export function setLastError(code: ErrorCode): ErrorCode {
  lastError = code;
  return code;
}

/** Records the code as this thread's last error and throws it. */
export function fail(code: ErrorCode, detail?: string): never {
  lastError = code;
  throw new AtlasError(code, detail);
}

export const API_VERSION = 1;

export function getApiVersion(): number {
  return API_VERSION;
}
