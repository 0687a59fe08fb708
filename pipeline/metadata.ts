import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import type { CallMeta } from '../core/schemas.ts';

/** Fields CallScope knows; any other column lands in meta.custom. */
const KNOWN = ['callId', 'agentId', 'agentName', 'team', 'branch', 'region', 'product', 'channel', 'direction',
  'recordedAt', 'customerId', 'customerSegment', 'language'] as const;

const MetaRow = z
  .object({
    audioFile: z.string().trim().min(1).optional(),
    file: z.string().trim().min(1).optional(),
    recordedAt: z.iso.datetime({ offset: true }).optional(),
    complaintEscalated: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
  })
  .catchall(z.unknown())
  .refine((r) => r.audioFile ?? r.file, { message: 'a metadata row needs "audioFile" (or "file") naming its recording' });

export type MetadataProblem = { where: string; message: string };
export type MetadataRow = { line: number; fileName: string; meta: CallMeta };
export type Metadata = { file: string; rows: Map<string, MetadataRow>; problems: MetadataProblem[] };

/** Minimal RFC 4180 CSV: quoted fields, doubled quotes, commas and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += ch;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

function toMeta(row: Record<string, unknown>): CallMeta {
  const meta: CallMeta = { custom: {} };
  for (const [k, v] of Object.entries(row)) {
    if (k === 'audioFile' || k === 'file' || v === undefined || v === null || v === '') continue;
    if ((KNOWN as readonly string[]).includes(k)) (meta as Record<string, unknown>)[k] = String(v);
    else if (k === 'complaintEscalated') meta.complaintEscalated = v as boolean;
    else meta.custom[k] = v;
  }
  return meta;
}

/** Reads a JSONL or CSV metadata sidecar. Bad rows become problems; good rows still count. */
export async function readMetadata(file: string): Promise<Metadata> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CallScopeError('FILE_NOT_FOUND', `${file}: metadata file not found`);
  }
  const name = path.basename(file);
  const records: Array<{ line: number; value: unknown }> = [];
  const problems: MetadataProblem[] = [];
  if (/\.csv$/i.test(file)) {
    const [header, ...body] = parseCsv(text.replace(/^\uFEFF/, ''));
    if (!header) throw new CallScopeError('METADATA_INVALID', `${name}: empty CSV file`);
    body.forEach((cells, i) => {
      if (cells.length !== header.length) {
        problems.push({ where: `${name}:${i + 2}`, message: `expected ${header.length} columns, found ${cells.length}` });
        return;
      }
      records.push({ line: i + 2, value: Object.fromEntries(header.map((h, j) => [h.trim(), cells[j]!.trim()])) });
    });
  } else {
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      try {
        records.push({ line: i + 1, value: JSON.parse(line) });
      } catch {
        problems.push({ where: `${name}:${i + 1}`, message: 'not valid JSON' });
      }
    });
  }
  const rows = new Map<string, MetadataRow>();
  for (const { line, value } of records) {
    const parsed = MetaRow.safeParse(value);
    if (!parsed.success || typeof value !== 'object') {
      const issue = parsed.success ? undefined : parsed.error.issues[0];
      const field = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      problems.push({ where: `${name}:${line}`, message: `${field}${issue?.message ?? 'expected an object'}` });
      continue;
    }
    const fileName = path.basename(String(parsed.data.audioFile ?? parsed.data.file));
    if (rows.has(fileName)) {
      problems.push({ where: `${name}:${line}`, message: `a second row for ${fileName} (line ${rows.get(fileName)!.line} wins)` });
      continue;
    }
    rows.set(fileName, { line, fileName, meta: toMeta(parsed.data as Record<string, unknown>) });
  }
  return { file, rows, problems };
}
