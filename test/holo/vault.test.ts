import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { sha256 } from '../../src/l2/witness.js';
import { MANIFEST_INDEX, VAULT_IV_BYTES, loadVaultKey, openChunk, parseVaultKey, sealChunk, vaultAad, vaultChunkAddress, vaultDocId } from '../../src/holo/vault.js';
import { seededBytes } from './helpers.js';

const HEX_KEY = Buffer.from(seededBytes(32, 1)).toString('hex');
const KEY = parseVaultKey(HEX_KEY);
const OTHER_KEY = parseVaultKey(Buffer.from(seededBytes(32, 2)).toString('base64'));
const PLAINTEXT = new TextEncoder().encode('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n');
const failsWith = (code: number) => expect.objectContaining({ code });

function containsSequence(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;
}

describe('vault keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-vault-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts 64 hex or 44 base64 characters for the same 32 bytes, with the same non-revealing key id', () => {
    const fromBase64 = parseVaultKey(Buffer.from(HEX_KEY, 'hex').toString('base64'));
    expect(fromBase64.key).toEqual(KEY.key);
    expect(fromBase64.id).toBe(KEY.id);
    expect(KEY.id).toMatch(/^[0-9a-f]{16}$/);
    expect(HEX_KEY).not.toContain(KEY.id);
    expect(OTHER_KEY.id).not.toBe(KEY.id);
  });

  it('loads from ATLAS_VAULT_KEY or a key file', () => {
    expect(loadVaultKey({ env: { ATLAS_VAULT_KEY: HEX_KEY } }).key).toEqual(KEY.key);
    const file = join(dir, 'vault.key');
    writeFileSync(file, `${HEX_KEY}\n`);
    expect(loadVaultKey({ keyFile: file, env: {} }).key).toEqual(KEY.key);
  });

  it('fails closed on a missing, empty, short or malformed key', () => {
    expect(() => loadVaultKey({ env: {} })).toThrow(failsWith(ErrorCode.STATE));
    expect(() => loadVaultKey({ env: { ATLAS_VAULT_KEY: ' ' } })).toThrow(failsWith(ErrorCode.STATE));
    expect(() => loadVaultKey({ keyFile: join(dir, 'missing.key') })).toThrow(failsWith(ErrorCode.STATE));
    for (const bad of [HEX_KEY.slice(0, 62), `${HEX_KEY}00`, Buffer.alloc(31).toString('base64'), 'z'.repeat(64), 'password']) {
      expect(() => loadVaultKey({ env: { ATLAS_VAULT_KEY: bad } })).toThrow(failsWith(ErrorCode.INVALID));
    }
  });
});

describe('sealed chunks', () => {
  const docId = vaultDocId(KEY, PLAINTEXT);

  it('round-trip, with a fresh IV each time and no plaintext in the sealed bytes', () => {
    const a = sealChunk(KEY, docId, 0, PLAINTEXT);
    const b = sealChunk(KEY, docId, 0, PLAINTEXT);
    expect(a.length).toBe(PLAINTEXT.length + 28);
    expect(a.subarray(0, VAULT_IV_BYTES)).not.toEqual(b.subarray(0, VAULT_IV_BYTES));
    expect(openChunk(KEY, docId, 0, a)).toEqual(PLAINTEXT);
    expect(openChunk(KEY, docId, 0, b)).toEqual(PLAINTEXT);
    for (const sealed of [a, b]) {
      expect(containsSequence(sealed, PLAINTEXT.subarray(0, 16))).toBe(false);
      expect(containsSequence(sealed, sha256(PLAINTEXT))).toBe(false);
    }
    expect(openChunk(KEY, docId, 3, sealChunk(KEY, docId, 3, new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });

  it('are addressed by SHA-256(IV ‖ ciphertext ‖ tag)', () => {
    const sealed = sealChunk(KEY, docId, 1, PLAINTEXT);
    expect(vaultChunkAddress(sealed)).toEqual(sha256(sealed));
    expect(vaultChunkAddress(sealed)).not.toEqual(vaultChunkAddress(sealChunk(KEY, docId, 1, PLAINTEXT)));
  });

  it('fail closed under a wrong key, IV, AAD (doc or index) or tag, and on a flipped ciphertext bit', () => {
    const sealed = sealChunk(KEY, docId, 5, PLAINTEXT);
    const flip = (offset: number) => {
      const copy = sealed.slice();
      copy[offset] = copy[offset]! ^ 1;
      return copy;
    };
    expect(() => openChunk(OTHER_KEY, docId, 5, sealed)).toThrow(failsWith(ErrorCode.WITNESS));
    expect(() => openChunk(KEY, vaultDocId(KEY, seededBytes(64, 9)), 5, sealed)).toThrow(failsWith(ErrorCode.WITNESS));
    expect(() => openChunk(KEY, docId, 6, sealed)).toThrow(failsWith(ErrorCode.WITNESS));
    expect(() => openChunk(KEY, docId, 5, flip(0))).toThrow(failsWith(ErrorCode.WITNESS));
    expect(() => openChunk(KEY, docId, 5, flip(VAULT_IV_BYTES + 3))).toThrow(failsWith(ErrorCode.WITNESS));
    expect(() => openChunk(KEY, docId, 5, flip(sealed.length - 1))).toThrow(failsWith(ErrorCode.WITNESS));
    expect(() => openChunk(KEY, docId, 5, sealed.subarray(0, 20))).toThrow(failsWith(ErrorCode.INVALID));
  });

  it('cannot be swapped across positions or documents, and the manifest index is its own slot', () => {
    const other = vaultDocId(KEY, seededBytes(64, 9));
    const chunks = [0, 1].map((i) => sealChunk(KEY, docId, i, seededBytes(64, i)));
    expect(() => openChunk(KEY, docId, 0, chunks[1]!)).toThrow(failsWith(ErrorCode.WITNESS));
    expect(() => openChunk(KEY, docId, 1, chunks[0]!)).toThrow(failsWith(ErrorCode.WITNESS));
    expect(() => openChunk(KEY, other, 0, chunks[0]!)).toThrow(failsWith(ErrorCode.WITNESS));
    const manifest = sealChunk(KEY, docId, MANIFEST_INDEX, PLAINTEXT);
    expect(openChunk(KEY, docId, MANIFEST_INDEX, manifest)).toEqual(PLAINTEXT);
    expect(() => openChunk(KEY, docId, 0, manifest)).toThrow(failsWith(ErrorCode.WITNESS));
  });

  it('builds AAD as docId ‖ u32be index and makes 128-bit keyed doc ids', () => {
    expect([...vaultAad(Uint8Array.from([1, 2]), 0x0a0b0c0d)]).toEqual([1, 2, 0x0a, 0x0b, 0x0c, 0x0d]);
    expect([...vaultAad(Uint8Array.from([7]), MANIFEST_INDEX)]).toEqual([7, 0xff, 0xff, 0xff, 0xff]);
    expect(() => vaultAad(new Uint8Array(0), 0)).toThrow(failsWith(ErrorCode.INVALID));
    expect(() => vaultAad(docId, 2 ** 32)).toThrow(failsWith(ErrorCode.INVALID));
    expect(docId.length).toBe(16);
    // Deterministic under one key (a resealed document finds its id), different under another or for other content,
    // and not a prefix of the content's plain SHA-256.
    expect(vaultDocId(KEY, PLAINTEXT)).toEqual(docId);
    expect(vaultDocId(OTHER_KEY, PLAINTEXT)).not.toEqual(docId);
    expect(vaultDocId(KEY, seededBytes(PLAINTEXT.length, 3))).not.toEqual(docId);
    expect(Buffer.from(sha256(PLAINTEXT).subarray(0, 16))).not.toEqual(Buffer.from(docId));
  });
});
