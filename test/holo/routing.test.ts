import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AtlasError, ErrorCode } from '../../src/errors.js';
import { LAYERS } from '../../src/holo/layers.js';
import { routeToLayer } from '../../src/holo/routing.js';
import { seededBytes, seededRandom } from './helpers.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const rand = seededRandom(2026);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson'];
const iso = (i: number) => new Date(Date.UTC(2025, 2, 1, 8, 0, 0) + i * 61_000).toISOString();
const rows = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join('\n');
const hex = (n: number) => Buffer.from(seededBytes(n, int(1, 1e6))).toString('hex');

const PROSE = `# Holographic memory in practice

Holographic reduced representations store many key–value pairs in one vector. Each pair is bound by circular
convolution, and the bound vectors are added together. Recall unbinds with the key and cleans up the noisy result
against a list of candidates. The capacity depends on the dimension and on the number of stored items, and the
signal-to-noise ratio falls as the square root of the load.

In this guide we walk through the derivation, show how the codebook is seeded, and explain why the exact bytes must
come from a stored payload rather than from the field itself.
`;

const GOLDEN: { kind: string; layer: string; name?: string; bytes: Uint8Array }[] = [
  // Vault: secrets by pattern
  { kind: 'PEM RSA private key', layer: 'vault', bytes: utf8(`-----BEGIN RSA PRIVATE KEY-----\n${Buffer.from(seededBytes(600, 1)).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END RSA PRIVATE KEY-----\n`) },
  { kind: 'OpenSSH private key', layer: 'vault', name: 'id_ed25519', bytes: utf8(`-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n`) },
  { kind: '.env with credentials', layer: 'vault', name: '.env', bytes: utf8(`NODE_ENV=production\nPORT=8080\nDATABASE_URL=postgres://app@db:5432/app\nDB_PASSWORD=Zq8!rT42vLx\nSTRIPE_API_KEY=sk_test_${hex(12)}\n`) },
  { kind: 'AWS credentials file', layer: 'vault', name: 'credentials', bytes: utf8(`[default]\naws_access_key_id = AKIA${'IOSFODNN7EXAMPLE'}\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion = eu-west-1\n`) },
  { kind: 'GitHub token in a script', layer: 'vault', bytes: utf8(`#!/bin/sh\ncurl -H "Accept: application/json" -u bot:ghp_${'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'} https://api.github.com/user\n`) },
  { kind: 'JWT in a JSON session', layer: 'vault', bytes: utf8(JSON.stringify({ user: 'ada', jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' })) },
  { kind: 'JSON config with a password', layer: 'vault', name: 'settings.json', bytes: utf8(JSON.stringify({ db: { host: 'db', user: 'app', password: 'S3cure-Passw0rd' }, pool: 10 }, null, 2)) },
  { kind: 'bearer header capture', layer: 'vault', bytes: utf8(`GET /v1/items HTTP/1.1\nHost: api.example.com\nAuthorization: Bearer ${hex(24)}\n`) },
  { kind: 'bare token in a file named like one', layer: 'vault', name: 'slack.token', bytes: utf8(`${Buffer.from(seededBytes(30, 9)).toString('base64url')}\n`) },
  // Preference: structured configuration
  { kind: 'editor settings JSON', layer: 'preference', name: 'settings.json', bytes: utf8(JSON.stringify({ 'editor.fontSize': 14, 'editor.tabSize': 2, 'workbench.colorTheme': 'Solarized Dark', 'files.autoSave': 'onFocusChange', telemetry: false }, null, 2)) },
  { kind: 'YAML service config', layer: 'preference', name: 'config.yaml', bytes: utf8(`server:\n  host: 0.0.0.0\n  port: 8080\n  workers: 4\nlogging:\n  level: info\n  format: json\ncache:\n  enabled: true\n  ttl_seconds: 300\nfeatures:\n  - search\n  - export\n`) },
  { kind: 'TOML project file', layer: 'preference', name: 'Cargo.toml', bytes: utf8(`[package]\nname = "atlas"\nversion = "0.3.1"\nedition = "2021"\n\n[dependencies]\nserde = "1.0"\ntokio = { version = "1", features = ["full"] }\n`) },
  { kind: 'INI file with placeholder secret', layer: 'preference', name: 'app.ini', bytes: utf8(`; app settings\n[ui]\ntheme = dark\nlanguage = en-GB\n\n[network]\ntimeout = 30\nretries = 3\npassword = \${APP_PASSWORD}\n`) },
  { kind: 'keyboard layout (key in the name, no secret)', layer: 'preference', name: 'keyboard-keymap.json', bytes: utf8(JSON.stringify({ layout: 'dvorak', repeatRate: 30, repeatDelay: 250, capsLockAs: 'ctrl' })) },
  // Experience: logs, CSV/TSV, line records
  { kind: 'application log', layer: 'experience', name: 'app.log', bytes: utf8(rows(40, (i) => `${iso(i)} ${pick(['INFO', 'WARN', 'ERROR', 'DEBUG'])} [worker-${int(1, 4)}] ${pick(['request served', 'cache miss for key', 'retrying upstream call', 'job finished'])} in ${int(1, 900)} ms`)) },
  { kind: 'python logging with comma milliseconds', layer: 'experience', bytes: utf8(rows(30, (i) => `2025-03-01 10:${String(i).padStart(2, '0')}:07,${int(100, 999)} ${pick(['INFO', 'ERROR'])} ${pick(['started', 'stopped', 'connected'])} pipeline`)) },
  { kind: 'nginx access log', layer: 'experience', name: 'access.log', bytes: utf8(rows(30, () => `203.0.113.${int(1, 254)} - - [01/Mar/2025:10:${int(10, 59)}:${int(10, 59)} +0000] "GET /api/v1/items?page=${int(1, 9)} HTTP/1.1" ${pick([200, 304, 404])} ${int(100, 9000)} "-" "curl/8.5.0"`)) },
  { kind: 'syslog', layer: 'experience', bytes: utf8(rows(25, (i) => `Mar  ${1 + (i % 9)} 10:1${i % 10}:0${i % 10} host-a sshd[${int(100, 999)}]: Accepted publickey for deploy from 198.51.100.${int(1, 254)}`)) },
  { kind: 'sales CSV', layer: 'experience', name: 'sales.csv', bytes: utf8(`date,product,quantity,unit_price,discount\n${rows(50, (i) => `2025-03-${String(1 + (i % 28)).padStart(2, '0')},${pick(['widget', 'gadget', 'sprocket'])},${int(1, 40)},${int(2, 90)}.${int(10, 99)},${int(0, 30)}%`)}`) },
  { kind: 'metrics TSV', layer: 'experience', name: 'metrics.tsv', bytes: utf8(`host\tcpu\tmem_mb\trequests\terrors\n${rows(40, () => `node-${int(1, 9)}\t${int(1, 99)}.${int(0, 9)}\t${int(200, 16000)}\t${int(0, 9000)}\t${int(0, 30)}`)}`) },
  { kind: 'JSON lines events', layer: 'experience', name: 'events.jsonl', bytes: utf8(rows(30, (i) => JSON.stringify({ ts: iso(i), level: 'info', event: pick(['click', 'view', 'purchase']), item: int(1, 500), value: int(1, 99) }))) },
  { kind: 'JSON array of order records', layer: 'experience', bytes: utf8(JSON.stringify(Array.from({ length: 20 }, () => ({ order: int(1000, 9999), sku: pick(['A1', 'B2', 'C3']), qty: int(1, 9), total: int(5, 500) })))) },
  // Knowledge: prose, documents, binary and unknown
  { kind: 'Markdown article', layer: 'knowledge', name: 'guide.md', bytes: utf8(PROSE) },
  { kind: 'docs with a placeholder key, in a file named like a secret', layer: 'knowledge', name: 'password-reset.md', bytes: utf8(`${PROSE}\nConfigure the client:\n\n    api_key = <your-api-key>\n    token: \${TOKEN}\n`) },
  { kind: 'Python login handler (reads, not holds, a password)', layer: 'knowledge', name: 'auth.py', bytes: utf8(`from flask import request\n\n\ndef login():\n    username = request.form["username"]\n    password = request.form["password"]\n    token = session_store.current_token\n    if not check(username, password):\n        return "denied", 403\n    return render_template("home.html")\n`) },
  { kind: 'TypeScript interface', layer: 'knowledge', name: 'user.ts', bytes: utf8(`export interface Credentials {\n  username: string;\n  password: string;\n}\n\nexport function validate(c: Credentials): boolean {\n  return c.password.length >= 12;\n}\n`) },
  { kind: 'plain text with commas in prose', layer: 'knowledge', bytes: utf8('It was late, and the lab was quiet.\nShe checked the field, the codes, and the margins again.\nNothing had changed, which was, in its way, the result.\n') },
  { kind: 'PDF', layer: 'knowledge', name: 'paper.pdf', bytes: new Uint8Array([...utf8('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n'), ...seededBytes(3000, 31)]) },
  { kind: 'DOCX (zip container)', layer: 'knowledge', name: 'report.docx', bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, ...seededBytes(4000, 32)]) },
  { kind: 'random bytes named secret.bin', layer: 'knowledge', name: 'secret.bin', bytes: seededBytes(8192, 33) },
  { kind: 'gzip of a CSV', layer: 'knowledge', name: 'sales.csv.gz', bytes: new Uint8Array(gzipSync(utf8(rows(200, (i) => `${i},${int(1, 9)},${int(1, 99)}`)))) },
  { kind: 'high-entropy base64 text without a hint', layer: 'knowledge', bytes: utf8(Buffer.from(seededBytes(3000, 34)).toString('base64')) },
  { kind: 'wrapped base64 lines', layer: 'knowledge', bytes: utf8(Buffer.from(seededBytes(3000, 35)).toString('base64').match(/.{1,76}/g)!.join('\n')) },
  { kind: 'empty file', layer: 'knowledge', bytes: new Uint8Array(0) },
  // Identity: user and session metadata
  { kind: 'users CSV', layer: 'identity', name: 'users.csv', bytes: utf8(`user_id,email,first_name,last_name,signup_date\n${rows(30, (i) => `u_${1000 + i},${pick(FIRST).toLowerCase()}.${i}@example.org,${pick(FIRST)},${pick(LAST)},2024-0${1 + (i % 9)}-1${i % 10}`)}`) },
  { kind: 'JSON array of accounts', layer: 'identity', bytes: utf8(JSON.stringify(Array.from({ length: 12 }, (_, i) => ({ username: `${pick(FIRST).toLowerCase()}${i}`, email: `u${i}@example.com`, display_name: `${pick(FIRST)} ${pick(LAST)}`, role: pick(['admin', 'editor', 'viewer']) })))) },
  { kind: 'session metadata YAML', layer: 'identity', name: 'session.yaml', bytes: utf8(`session_id: 9f1c2b7e-55aa-4c1e-9d0b-3f2a1c0d9e8f\nuser_id: u_1842\nemail: ada@example.com\ndisplay_name: Ada Lovelace\nip: 203.0.113.7\nuser_agent: Mozilla/5.0 (X11; Linux x86_64)\nlast_seen: 2025-03-02T10:11:12Z\n`) },
  { kind: 'vCard', layer: 'identity', name: 'contact.vcf', bytes: utf8('BEGIN:VCARD\nVERSION:4.0\nFN:Grace Hopper\nEMAIL:grace@example.mil\nTEL:+1-202-555-0100\nEND:VCARD\n') },
  { kind: 'email list', layer: 'identity', bytes: utf8(rows(20, (i) => `${pick(FIRST).toLowerCase()}.${pick(LAST).toLowerCase()}${i}@example.net`)) },
  // Context: time- and place-heavy records
  { kind: 'GPS track CSV', layer: 'context', name: 'track.csv', bytes: utf8(`timestamp,lat,lon,elevation\n${rows(40, (i) => `${iso(i)},47.${int(600000, 699999)},-122.${int(300000, 399999)},${int(10, 90)}.${int(0, 9)}`)}`) },
  { kind: 'check-ins JSON', layer: 'context', bytes: utf8(JSON.stringify(Array.from({ length: 15 }, (_, i) => ({ time: iso(i), place: pick(['Café Central', 'Museum', 'Station']), latitude: 48.2 + i / 1000, longitude: 16.37 + i / 1000 })))) },
  { kind: 'iCalendar', layer: 'context', name: 'team.ics', bytes: utf8('BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTART:20250310T090000Z\nDTEND:20250310T100000Z\nLOCATION:Room 4.12\nSUMMARY:Planning\nEND:VEVENT\nEND:VCALENDAR\n') },
  { kind: 'GPX', layer: 'context', name: 'ride.gpx', bytes: utf8(`<?xml version="1.0"?>\n<gpx version="1.1"><trk><trkseg>${rows(10, (i) => `<trkpt lat="47.6${i}" lon="-122.3${i}"><time>${iso(i)}</time></trkpt>`)}</trkseg></trk></gpx>`) },
  { kind: 'headerless timestamp/coordinate rows', layer: 'context', bytes: utf8(rows(30, (i) => `${iso(i)};51.${int(400000, 599999)};-0.${int(100000, 199999)}`)) },
  // Wisdom: summaries, conclusions, insights
  { kind: 'meeting summary', layer: 'wisdom', bytes: utf8('# Summary of the Q1 planning meeting\n\nWe agreed to ship the store first and the GPU backend second.\nThe main risk is capacity planning; we will measure it.\n') },
  { kind: 'TL;DR note', layer: 'wisdom', bytes: utf8('TL;DR: spill shards beat silent degradation.\n\nLonger notes follow on why rejecting is also fine for batch jobs.\n') },
  { kind: 'lessons learned named by file', layer: 'wisdom', name: 'retro-2025-03.md', bytes: utf8('What went well: tests caught the ECC bug early.\nWhat to change: benchmark on the target machine.\n') },
  { kind: 'key insights list', layer: 'wisdom', bytes: utf8('Key insights\n\n- Entropy is not a secret detector.\n- Floors protect loaded layers.\n- Exact bytes come from payloads.\n') },
];

describe('routeToLayer auto: golden table per content type', () => {
  for (const sample of GOLDEN) {
    it(`${sample.kind} → ${sample.layer}`, () => {
      expect(routeToLayer({ bytes: sample.bytes, ...(sample.name === undefined ? {} : { name: sample.name }) }).name).toBe(sample.layer);
    });
  }

  it('covers every layer', () => {
    expect(new Set(GOLDEN.map((s) => s.layer))).toEqual(new Set(LAYERS.map((l) => l.name)));
  });
});

describe('routeToLayer properties', () => {
  it('is deterministic: repeated calls and copies of the bytes agree', () => {
    for (const sample of GOLDEN) {
      const doc = { bytes: sample.bytes.slice(), ...(sample.name === undefined ? {} : { name: sample.name }) };
      expect(routeToLayer(doc, 'auto')).toBe(routeToLayer({ ...doc, bytes: sample.bytes.slice() }));
    }
  });

  it('never sends random, compressed or encrypted-looking bytes to the Vault', () => {
    for (let seed = 0; seed < 50; seed++) {
      const bytes = seededBytes(256 + seed * 97, 5000 + seed);
      expect(routeToLayer({ bytes }).name).not.toBe('vault');
      expect(routeToLayer({ bytes: new Uint8Array(gzipSync(bytes)), name: 'archive.gz' }).name).not.toBe('vault');
    }
  });

  it('lets an explicit layer name or number override the content', () => {
    const secret = GOLDEN[0]!.bytes;
    expect(routeToLayer({ bytes: secret }, 'wisdom').name).toBe('wisdom');
    expect(routeToLayer({ bytes: utf8(PROSE) }, 'vault').name).toBe('vault');
    for (const layer of LAYERS) {
      expect(routeToLayer({ bytes: secret }, layer.index)).toBe(layer);
      expect(routeToLayer({ bytes: secret }, String(layer.index))).toBe(layer);
      expect(routeToLayer({ bytes: secret }, layer.name.toUpperCase())).toBe(layer);
    }
    expect(routeToLayer({ bytes: secret }, 'AUTO').name).toBe('vault');
  });

  it('rejects a bad policy or document with INVALID', () => {
    const doc = { bytes: utf8('x') };
    for (const bad of ['', 'secrets', 7, -1, 1.5, '07x']) {
      expect(() => routeToLayer(doc, bad)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
    }
    expect(() => routeToLayer(doc, null as never)).toThrow(AtlasError);
    expect(() => routeToLayer({ bytes: 'text' as never })).toThrow(AtlasError);
  });
});
