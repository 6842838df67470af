import { createHash } from 'node:crypto';
import { ErrorCode, fail } from '../errors.js';
import { PAYLOAD_SIZE } from '../framing/structure.js';
import { MANIFEST_INDEX, vaultDocId, openChunk, sealChunk, vaultChunkAddress, type VaultKey } from '../holo/vault.js';

/** What a Vault document leaves in the store: its keyed id, the key id, and the sealed manifest. Nothing else. */
export interface StoredVaultManifest {
  readonly keyId: string;
  readonly sealed: Uint8Array;
}

/** The plaintext inside the sealed manifest. */
interface VaultManifest {
  readonly length: number;
  /** Chunk addresses SHA-256(IV ‖ ciphertext ‖ tag), hex. */
  readonly chunks: string[];
  /** The plaintext's SHA-256: only ever stored encrypted. */
  readonly sha256: string;
}

export interface SealedDocument {
  /** 32 hex characters: vaultDocId, 128 bits of HMAC. */
  readonly id: string;
  readonly manifest: StoredVaultManifest;
  readonly chunks: { address: Buffer; sealed: Uint8Array }[];
}

const VAULT_ID = /^[0-9a-f]{32}$/;

export function isVaultId(id: string): boolean {
  return VAULT_ID.test(id);
}

/** The id a Vault document gets under `key`, hex: the stores look it up before sealing, so a resubmission stores nothing. */
export function vaultDocumentId(key: VaultKey, bytes: Uint8Array): string {
  return Buffer.from(vaultDocId(key, bytes)).toString('hex');
}

/** Encrypts a document chunk by chunk (12,287-byte plaintext chunks) under its keyed id (vaultDocId), each with a fresh random IV. */
export function sealDocument(key: VaultKey, bytes: Uint8Array, id = vaultDocumentId(key, bytes)): SealedDocument {
  const docId = Buffer.from(id, 'hex');
  const chunks: SealedDocument['chunks'] = [];
  for (let i = 0, at = 0; at < bytes.length; i++, at += PAYLOAD_SIZE) {
    const sealed = sealChunk(key, docId, i, bytes.subarray(at, at + PAYLOAD_SIZE));
    chunks.push({ address: vaultChunkAddress(sealed), sealed });
  }
  const inner: VaultManifest = { length: bytes.length, chunks: chunks.map((c) => c.address.toString('hex')), sha256: createHash('sha256').update(bytes).digest('hex') };
  const sealed = sealChunk(key, docId, MANIFEST_INDEX, Buffer.from(JSON.stringify(inner), 'utf8'));
  return { id, manifest: { keyId: key.id, sealed }, chunks };
}

/**
 * Decrypts a Vault document: `chunk(address)` returns the verified sealed chunk (the store repairs it first).
 * Fails closed on a wrong key, any tampering, swapped chunks or a plaintext that does not match its witness.
 */
export function openDocument(key: VaultKey, id: string, stored: StoredVaultManifest, chunk: (address: Buffer, index: number) => Uint8Array): Uint8Array {
  const docId = Buffer.from(id, 'hex');
  const inner = openManifest(key, id, stored);
  const out = new Uint8Array(inner.length);
  inner.chunks.forEach((address, i) => out.set(openChunk(key, docId, i, chunk(Buffer.from(address, 'hex'), i)), i * PAYLOAD_SIZE));
  if (createHash('sha256').update(out).digest('hex') !== inner.sha256) fail(ErrorCode.WITNESS, `vault document ${id} does not match its witness`);
  return out;
}

/** The chunk addresses of a Vault document, from its sealed manifest (a store that fetches asynchronously needs them first). */
export function vaultChunkAddresses(key: VaultKey, id: string, stored: StoredVaultManifest): Buffer[] {
  return openManifest(key, id, stored).chunks.map((address) => Buffer.from(address, 'hex'));
}

function openManifest(key: VaultKey, id: string, stored: StoredVaultManifest): VaultManifest {
  if (stored.keyId !== key.id) fail(ErrorCode.WITNESS, `vault document ${id} was sealed under key ${stored.keyId}, not the configured key ${key.id}`);
  return JSON.parse(Buffer.from(openChunk(key, Buffer.from(id, 'hex'), MANIFEST_INDEX, stored.sealed)).toString('utf8')) as VaultManifest;
}
