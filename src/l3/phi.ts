import { requireIndex } from '../validate.js';

export const PAGES = 48;
export const STRUCTURE_SIZE = PAGES * 256;

export interface PhiCoordinate {
  readonly page: number;
  readonly offset: number;
}

/** coord = page*256 + offset, with page < 48 and offset < 256. */
export function phiEncode(page: number, offset: number): number {
  return requireIndex(page, PAGES, 'page') * 256 + requireIndex(offset, 256, 'offset');
}

export function phiDecode(coord: number): PhiCoordinate {
  requireIndex(coord, STRUCTURE_SIZE, 'coord');
  return { page: coord >> 8, offset: coord & 255 };
}
