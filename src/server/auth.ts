import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ErrorCode, fail } from '../errors.js';

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** The bearer token a bind needs: required (ATLAS_TOKEN) for any host other than loopback, optional there. */
export function requiredToken(host: string, token: string | undefined): string | undefined {
  if (token !== undefined && token.length > 0) return token;
  if (!isLoopback(host)) fail(ErrorCode.INVALID, `binding to ${host} needs a token: set ATLAS_TOKEN (clients send it as "Authorization: Bearer <token>")`);
  return undefined;
}

/** Constant-time check of an Authorization header against the token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
