import { ErrorCode, fail } from '../errors.js';
import { requireBytes } from '../validate.js';
import { LAYERS, resolveLayer, type Layer, type LayerName } from './layers.js';
import {
  decodeText, delimitedTable, dominantTopic, isCalendar, isContactCard, isInsight, isLog, isTrack, jsonLines, jsonShape,
  keyValuePairs, parseJson, singleColumn, tableFields, topicShare, type Topic,
} from './routing-content.js';

export interface RoutableDocument {
  readonly bytes: Uint8Array;
  /** The file name, where there is one: a hint only, never the key of anything. */
  readonly name?: string;
}

/** 'auto', a layer name, or a layer number (also as a decimal string, as a CLI passes it). */
export type LayerPolicy = 'auto' | LayerName | number | string;

const SECRET_PATTERNS: readonly RegExp[] = [
  /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/, // PEM, OpenSSH, PGP private keys
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}/, // GitHub tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/, // Slack tokens
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, // JWTs
  /\bbearer\s+[A-Za-z0-9._~+/-]{20,}=*/i, // bearer credentials
];

/** key = value where the key ends in a secret word (DB_PASSWORD, "api_key", aws_secret_access_key, GITHUB_TOKEN). */
const SECRET_ASSIGNMENT = /(?<![A-Za-z0-9_.-])(?:[A-Za-z0-9]+[_.-])*(?:api[_-]?key|apikey|secret(?:[_-]?(?:access[_-]?)?key)?|passw(?:or)?d|pwd|token|private[_-]?key|access[_-]?key(?:[_-]?id)?|auth[_-]?key|signing[_-]?key|encryption[_-]?key)["']?\s*[:=]\s*["']?([^\s"'`,;]+)/gi;
const PLACEHOLDER = /^(?:[$<%{*]|x{4,}|changeme|example|placeholder|your[_-]|none$|null$|true$|false$|\d+$)/i;
/** Source code reads secrets from somewhere: calls, indexing and dotted names are expressions, not secret values. */
const EXPRESSION = /[([]|^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/;
const SECRET_NAME = /secret|key|passw|token|cert|credential/i;
const TOKEN_ONLY = /^[A-Za-z0-9+/=_.:-]{16,4096}$/;

function hasSecret(text: string, name: string): boolean {
  if (SECRET_PATTERNS.some((re) => re.test(text))) return true;
  for (const match of text.matchAll(SECRET_ASSIGNMENT)) {
    const value = match[1]!;
    if (value.length >= 8 && !PLACEHOLDER.test(value) && !EXPRESSION.test(value)) return true;
  }
  // The file name alone proves nothing; with a bare token or a PEM block as the whole content it does.
  return SECRET_NAME.test(name) && (TOKEN_ONLY.test(text.trim()) || /^-----BEGIN [A-Z ]+-----/.test(text.trim()));
}

function topicLayer(topic: Topic, otherwise: LayerName): LayerName {
  return topic === 'other' ? otherwise : topic;
}

/** The 'auto' decision of holo-store.md §2, on content first and the file name as a hint. */
function classify(bytes: Uint8Array, name: string): LayerName {
  const text = decodeText(bytes);
  // Binary, compressed and office/PDF content is ordinary data: entropy alone never selects the Vault.
  if (text === undefined || text.trim() === '') return 'knowledge';
  if (hasSecret(text, name)) return 'vault';
  if (isCalendar(text) || isTrack(text)) return 'context';
  if (isContactCard(text)) return 'identity';
  const json = parseJson(text);
  if (json !== undefined && typeof json === 'object' && json !== null) {
    const shape = jsonShape(json);
    return topicLayer(dominantTopic(topicShare(shape.fields)), shape.tabular ? 'experience' : 'preference');
  }
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '').slice(0, 2000);
  const records = jsonLines(lines);
  if (records) return topicLayer(dominantTopic(topicShare(jsonShape(records).fields)), 'experience');
  if (isLog(lines)) return 'experience';
  const table = delimitedTable(lines);
  if (table) return topicLayer(dominantTopic(topicShare(tableFields(table))), 'experience');
  const list = singleColumn(lines);
  const listTopic = list ? dominantTopic(topicShare(tableFields(list))) : 'other';
  if (listTopic !== 'other') return listTopic;
  const pairs = keyValuePairs(lines);
  if (pairs) return topicLayer(dominantTopic(topicShare(pairs)), 'preference');
  return isInsight(text, name) ? 'wisdom' : 'knowledge';
}

/** Whether a policy routes by content (and so needs the document's bytes). */
export function isAutoPolicy(policy: unknown): boolean {
  return typeof policy === 'string' && policy.trim().toLowerCase() === 'auto';
}

/**
 * The one layer a document's chunks bind into. Pure and deterministic: the same bytes, name and policy always give
 * the same layer. An explicit layer name or number wins; 'auto' inspects the content; anything else is INVALID.
 */
export function routeToLayer(doc: RoutableDocument, policy: LayerPolicy = 'auto'): Layer {
  if (typeof doc !== 'object' || doc === null) fail(ErrorCode.INVALID, 'routeToLayer needs a document {bytes, name?}');
  requireBytes(doc.bytes, 'document bytes');
  if (doc.name !== undefined && typeof doc.name !== 'string') fail(ErrorCode.INVALID, 'document name must be a string');
  if (typeof policy !== 'string' && typeof policy !== 'number') fail(ErrorCode.INVALID, `layer policy must be 'auto', a layer name or a number, got ${String(policy)}`);
  if (isAutoPolicy(policy)) {
    const name = classify(doc.bytes, doc.name ?? '');
    return LAYERS.find((layer) => layer.name === name)!;
  }
  return resolveLayer(policy);
}
