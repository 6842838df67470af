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

/** The cookie the page's own requests carry after it was opened once with `/?token=<token>`. */
export const TOKEN_COOKIE = 'atlas_token';

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request presents: the Authorization bearer header, else the page's cookie. */
export function presentedToken(authorization: string | undefined, cookie: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (bearer) return bearer[1];
  for (const part of (cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
