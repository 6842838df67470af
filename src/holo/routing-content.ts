/**
 * Content signals for routing: what a text looks like (JSON, JSON lines, delimited table, log, key-value config,
 * calendar/contact/track formats, prose) and what its fields are about (identity, time/place, other).
 */

export type Topic = 'identity' | 'context' | 'other';

/** Keys compared after lower-casing and dropping everything but letters and digits (user_id → userid). */
const IDENTITY_KEYS = new Set([
  'email', 'emailaddress', 'mail', 'user', 'username', 'userid', 'uid', 'login', 'name', 'firstname', 'lastname',
  'fullname', 'displayname', 'givenname', 'familyname', 'nickname', 'handle', 'session', 'sessionid', 'sid', 'account',
  'accountid', 'customerid', 'memberid', 'role', 'roles', 'groups', 'phone', 'phonenumber', 'avatar', 'ip', 'ipaddress',
  'useragent', 'owner', 'author',
]);
const IDENTITY_SUFFIXES = ['email', 'userid', 'username', 'sessionid', 'accountid'];
const CONTEXT_KEYS = new Set([
  'time', 'timestamp', 'ts', 'date', 'datetime', 'day', 'start', 'end', 'starttime', 'endtime', 'startdate', 'enddate',
  'lat', 'latitude', 'lon', 'lng', 'long', 'longitude', 'alt', 'altitude', 'elevation', 'ele', 'location', 'place',
  'city', 'country', 'region', 'address', 'timezone', 'tz', 'venue', 'geo', 'coordinates', 'coords', 'position',
  'heading', 'accuracy', 'when', 'where',
]);
const CONTEXT_SUFFIXES = ['timestamp', 'time', 'date', 'edat', 'latitude', 'longitude'];

const EMAIL = /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/;
const DATE_OR_TIME = /^(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|\d{1,2}:\d{2}(?::\d{2})?|\d{8}T\d{6}Z?)$/;
const COORDINATE = /^-?\d{1,3}\.\d{4,}$/;

export function keyTopic(key: string): Topic | undefined {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (IDENTITY_KEYS.has(k) || IDENTITY_SUFFIXES.some((s) => k.endsWith(s))) return 'identity';
  if (CONTEXT_KEYS.has(k) || CONTEXT_SUFFIXES.some((s) => k.endsWith(s))) return 'context';
  return undefined;
}

export function valueTopic(value: unknown): Topic {
  const text = String(value).trim();
  if (EMAIL.test(text)) return 'identity';
  if (DATE_OR_TIME.test(text) || (COORDINATE.test(text) && Math.abs(Number(text)) <= 180)) return 'context';
  return 'other';
}

/** Share of identity and of context among classified fields: a field's key decides, else its values' majority. */
export interface TopicShare {
  identity: number;
  context: number;
}

export function topicShare(fields: readonly { key?: string; values: readonly unknown[] }[]): TopicShare {
  let identity = 0, context = 0;
  for (const { key, values } of fields) {
    let topic = key === undefined ? undefined : keyTopic(key);
    if (topic === undefined) {
      const counts = { identity: 0, context: 0, other: 0 };
      for (const v of values) counts[valueTopic(v)]++;
      topic = counts.identity * 2 > values.length ? 'identity' : counts.context * 2 > values.length ? 'context' : 'other';
    }
    if (topic === 'identity') identity++;
    if (topic === 'context') context++;
  }
  const n = Math.max(fields.length, 1);
  return { identity: identity / n, context: context / n };
}

/** The dominant topic when it holds at least half of the fields and more than the other. */
export function dominantTopic(share: TopicShare): Topic {
  if (share.identity >= 0.5 && share.identity > share.context) return 'identity';
  if (share.context >= 0.5 && share.context > share.identity) return 'context';
  return 'other';
}

/** UTF-8 text, or undefined for binary content (NUL bytes, control characters, invalid UTF-8). */
export function decodeText(bytes: Uint8Array): string | undefined {
  const sample = bytes.subarray(0, 8192);
  let control = 0;
  for (const b of sample) {
    if (b === 0) return undefined;
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) control++;
  }
  if (control * 50 > sample.length) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function parseJson(text: string): Json | undefined {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t) as Json;
  } catch {
    return undefined;
  }
}

function isRecord(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Leaf fields of a JSON value: key (last path segment) with its scalar values; arrays of records become columns. */
function leaves(value: Json, key: string | undefined, out: { key?: string; values: unknown[] }[]): void {
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
    const columns = new Map<string, unknown[]>();
    for (const record of value.slice(0, 200)) {
      for (const [k, v] of Object.entries(record)) {
        if (isRecord(v) || Array.isArray(v)) {
          leaves(v, k, out);
          continue;
        }
        const column = columns.get(k) ?? [];
        column.push(v);
        columns.set(k, column);
      }
    }
    for (const [k, values] of columns) out.push({ key: k, values });
  } else if (Array.isArray(value)) {
    const scalars = value.filter((v) => !isRecord(v) && !Array.isArray(v));
    if (scalars.length > 0) out.push({ ...(key === undefined ? {} : { key }), values: scalars });
    for (const v of value) if (isRecord(v) || Array.isArray(v)) leaves(v, key, out);
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, k, out);
  } else {
    out.push({ ...(key === undefined ? {} : { key }), values: [value] });
  }
}

export interface JsonShape {
  /** Records (arrays of objects, JSON lines) rather than a settings object. */
  readonly tabular: boolean;
  readonly fields: { key?: string; values: unknown[] }[];
}

function containsRecordArray(value: Json): boolean {
  if (Array.isArray(value)) return (value.length > 1 && value.every(isRecord)) || value.some(containsRecordArray);
  return isRecord(value) && Object.values(value).some(containsRecordArray);
}

export function jsonShape(json: Json): JsonShape {
  const fields: { key?: string; values: unknown[] }[] = [];
  leaves(json, undefined, fields);
  return { tabular: containsRecordArray(json), fields };
}

/** JSON lines: at least two lines and every line a JSON object. */
export function jsonLines(lines: readonly string[]): Json[] | undefined {
  if (lines.length < 2) return undefined;
  const records: Json[] = [];
  for (const line of lines) {
    const value = parseJson(line);
    if (!isRecord(value)) return undefined;
    records.push(value);
  }
  return records;
}

function splitDelimited(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '', quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) {
      fields.push(field.trim());
      field = '';
    } else field += ch;
  }
  fields.push(field.trim());
  return fields;
}

/** A delimited table (CSV, TSV, ;- or |-separated): ≥ 2 rows, ≥ 2 columns, and ≥ 90% of rows with the same width. */
export function delimitedTable(lines: readonly string[]): { header?: string[]; rows: string[][] } | undefined {
  if (lines.length < 2) return undefined;
  for (const delimiter of [',', '\t', ';', '|']) {
    const rows = lines.map((line) => splitDelimited(line, delimiter));
    const width = rows[0]!.length;
    if (width < 2 || rows.filter((r) => r.length === width).length < 0.9 * rows.length) continue;
    const first = rows[0]!;
    const isHeader = first.every((f) => /^[A-Za-z_][\w .()/-]{0,40}$/.test(f)) && new Set(first).size === first.length;
    return isHeader ? { header: first, rows: rows.slice(1) } : { rows };
  }
  return undefined;
}

/** One value per line (a list of e-mails, ids, timestamps): a single-column table. */
export function singleColumn(lines: readonly string[]): { rows: string[][] } | undefined {
  if (lines.length < 2 || lines.filter((line) => /^\S+$/.test(line.trim())).length < 0.9 * lines.length) return undefined;
  return { rows: lines.map((line) => [line.trim()]) };
}

export function tableFields(table: { header?: string[]; rows: string[][] }): { key?: string; values: unknown[] }[] {
  const width = table.header?.length ?? table.rows[0]?.length ?? 0;
  return Array.from({ length: width }, (_, c) => ({
    ...(table.header ? { key: table.header[c]! } : {}),
    values: table.rows.slice(0, 200).map((r) => r[c] ?? ''),
  }));
}

const LOG_PREFIXES = [
  /^\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\]?\s+\S/, // ISO timestamp, then text
  /^\S+ \S+ \S+ \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "/, // common/combined access log
  /^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \S+ /, // syslog
  /^\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|CRITICAL)\b\]?\s*:?\s+\S/, // level first
  /^\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\s+\S/, // time of day, then text
];

/** A log: ≥ 60% of lines start like a log record (timestamp, access-log, syslog or level prefix) and go on with text. */
export function isLog(lines: readonly string[]): boolean {
  if (lines.length < 2) return false;
  const hits = lines.filter((line) => LOG_PREFIXES.some((re) => re.test(line))).length;
  return hits >= 0.6 * lines.length;
}

const KV_LINE = /^\s*(?:export\s+)?["']?([A-Za-z_][\w.-]{0,63})["']?\s*[:=](?:\s+(.*)|(\S.*)|)$/;
const SECTION = /^\s*\[[^\]]+\]\s*$/;
const LIST_ITEM = /^\s*-\s+\S/;
const COMMENT = /^\s*[#;]/;

/** Key-value configuration (YAML, TOML, INI, .env): ≥ 70% of content lines are pairs, sections or list items. */
export function keyValuePairs(lines: readonly string[]): { key: string; values: unknown[] }[] | undefined {
  const content = lines.filter((line) => !COMMENT.test(line));
  const pairs: { key: string; values: unknown[] }[] = [];
  let structured = 0;
  for (const line of content) {
    const match = KV_LINE.exec(line);
    if (match) {
      structured++;
      const value = (match[2] ?? match[3] ?? '').trim().replace(/^["']|["']$/g, '');
      if (value !== '') pairs.push({ key: match[1]!, values: [value] });
    } else if (SECTION.test(line) || LIST_ITEM.test(line)) structured++;
  }
  return pairs.length >= 2 && structured >= 0.7 * content.length ? pairs : undefined;
}

const INSIGHT = /\b(?:summary|summaries|tl;?dr|takeaways?|insights?|lessons? learned|learnings|conclusions?|key findings|retro(?:spective)?|recap|digest|synthesis|bottom line)\b/i;
const INSIGHT_OPENING = /^\s*(?:#+\s*)?(?:tl;?dr|in summary|in conclusion|to summari[sz]e|bottom line|key (?:takeaways|insights|findings|lessons))\b/i;

/** Summaries and insight notes: the title names one, the text opens with one, or the file name says so. */
export function isInsight(text: string, name: string): boolean {
  const title = text.split('\n').find((line) => line.trim() !== '') ?? '';
  return INSIGHT_OPENING.test(text) || (title.length <= 120 && INSIGHT.test(title)) || INSIGHT.test(name.replace(/[_.-]/g, ' '));
}

export function isCalendar(text: string): boolean {
  return /^BEGIN:VCALENDAR/m.test(text) && /^BEGIN:VEVENT/m.test(text);
}

export function isContactCard(text: string): boolean {
  return /^BEGIN:VCARD/m.test(text);
}

export function isTrack(text: string): boolean {
  return /<(?:gpx|kml)\b/i.test(text.slice(0, 4096));
}
