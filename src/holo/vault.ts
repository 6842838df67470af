import { createCipheriv, createDecipheriv, createHmac, randomBytes, type Hmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCode, fail } from '../errors.js';
import { sha256 } from '../l2/witness.js';
import { requireBytes } from '../validate.js';

/** AES-256-GCM per chunk (holo-store.md §6). A sealed chunk is stored as IV(12) ‖ ciphertext ‖ tag(16). */
export const VAULT_IV_BYTES = 12;
export const VAULT_TAG_BYTES = 16;
export const VAULT_DOC_ID_BYTES = 16;
/** The chunk index under which the encrypted manifest is sealed. */
export const MANIFEST_INDEX = 0xffffffff;
/** The chunk index under which a submitted Vault document waits, sealed, in the queue's staging area. */
export const STAGING_INDEX = 0xfffffffe;

export interface VaultKey {
  readonly key: Buffer;
  /** Names the key in manifests without revealing it: HMAC-SHA256(key, "atlas-vault-key-id"), first 8 bytes, hex. */
  readonly id: string;
}

function vaultKey(key: Buffer): VaultKey {
  return Object.freeze({ key, id: createHmac('sha256', key).update('atlas-vault-key-id').digest().subarray(0, 8).toString('hex') });
}

/** A key written as 64 hex characters or 44 base64 characters; anything else fails closed (never a padded or short key). */
export function parseVaultKey(text: string): VaultKey {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return vaultKey(Buffer.from(trimmed, 'hex'));
  if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
    const key = Buffer.from(trimmed, 'base64');
    if (key.length === 32) return vaultKey(key);
  }
  return fail(ErrorCode.INVALID, `vault key must be 32 bytes as 64 hex or 44 base64 characters (got ${trimmed.length} characters); refusing to use the Vault`);
}

/**
 * The Vault key from a key file when one is given, else from ATLAS_VAULT_KEY. Missing, empty or short keys fail
 * closed with a STATE error: Vault stores must not proceed without a real key.
 */
export function loadVaultKey(options: { keyFile?: string; env?: NodeJS.ProcessEnv } = {}): VaultKey {
  if (options.keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.keyFile, 'utf8');
    } catch (error) {
      return fail(ErrorCode.STATE, `vault key file ${options.keyFile} cannot be read (${(error as Error).message}); refusing to use the Vault`);
    }
    return parseVaultKey(text);
  }
  const value = (options.env ?? process.env).ATLAS_VAULT_KEY;
  if (value === undefined || value.trim() === '') return fail(ErrorCode.STATE, 'no vault key: set ATLAS_VAULT_KEY (64 hex or 44 base64 characters) or configure a key file');
  return parseVaultKey(value);
}

/**
 * A Vault document's 128-bit id: HMAC-SHA256 of its plaintext under a key derived from the Vault key (issue 5: ids
 * that reveal nothing, by HMAC). Without the key it says nothing about the content; with it, sealing the same
 * document twice (a queue job retried after a crash) finds the same id instead of storing a second copy. The price:
 * whoever sees two ids can tell whether two Vault documents are equal.
 */
export function vaultDocId(key: VaultKey, plaintext: Uint8Array): Uint8Array {
  requireBytes(plaintext, 'plaintext');
  return vaultDocIdOf(vaultDocIdHash(key).update(plaintext));
}

/** vaultDocId over content that arrives in pieces: update() the returned HMAC with them, then vaultDocIdOf(it). */
export function vaultDocIdHash(key: VaultKey): Hmac {
  return createHmac('sha256', createHmac('sha256', key.key).update('atlas-vault-doc-id').digest());
}

export function vaultDocIdOf(hmac: Hmac): Uint8Array {
  return new Uint8Array(hmac.digest().subarray(0, VAULT_DOC_ID_BYTES));
}

/** AAD = docId ‖ u32be chunkIndex, so chunks cannot move across documents or positions. */
export function vaultAad(docId: Uint8Array, chunkIndex: number): Buffer {
  requireBytes(docId, 'docId');
  if (docId.length === 0) fail(ErrorCode.INVALID, 'vault docId must not be empty');
  if (!Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex > MANIFEST_INDEX) fail(ErrorCode.INVALID, `chunk index must be a u32, got ${chunkIndex}`);
  const aad = Buffer.alloc(docId.length + 4);
  aad.set(docId);
  aad.writeUInt32BE(chunkIndex, docId.length);
  return aad;
}

/** Encrypts one chunk under a fresh random 96-bit IV; returns IV ‖ ciphertext ‖ tag. */
export function sealChunk(key: VaultKey, docId: Uint8Array, chunkIndex: number, plaintext: Uint8Array): Uint8Array {
  requireBytes(plaintext, 'plaintext');
  const aad = vaultAad(docId, chunkIndex);
  const iv = randomBytes(VAULT_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv, { authTagLength: VAULT_TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([iv, ciphertext, cipher.getAuthTag()]));
}

/** Decrypts and authenticates a sealed chunk; any mismatch of key, IV, AAD, ciphertext or tag fails closed with WITNESS. */
export function openChunk(key: VaultKey, docId: Uint8Array, chunkIndex: number, sealed: Uint8Array): Uint8Array {
  requireBytes(sealed, 'sealed chunk');
  const aad = vaultAad(docId, chunkIndex);
  if (sealed.length < VAULT_IV_BYTES + VAULT_TAG_BYTES) fail(ErrorCode.INVALID, `a sealed chunk has at least ${VAULT_IV_BYTES + VAULT_TAG_BYTES} bytes, got ${sealed.length}`);
  const iv = sealed.subarray(0, VAULT_IV_BYTES);
  const tag = sealed.subarray(sealed.length - VAULT_TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key.key, iv, { authTagLength: VAULT_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(VAULT_IV_BYTES, sealed.length - VAULT_TAG_BYTES)), decipher.final()]));
  } catch {
    return fail(ErrorCode.WITNESS, `vault chunk ${chunkIndex} failed authentication (wrong key, IV, AAD, or tampered ciphertext/tag)`);
  }
}

/** The content address of a sealed chunk: SHA-256(IV ‖ ciphertext ‖ tag). */
export function vaultChunkAddress(sealed: Uint8Array): Buffer {
  return sha256(sealed);
}
