import type { CallDoc } from '../../core/schemas.ts';
import { checkpointsOf, factValues, labelsOf, segmentTextHash } from '../sqlite/call-row.ts';
import { BOOLEAN_FIELDS, KEYWORD_FIELDS, NUMERIC_FIELDS } from '../query-model.ts';
import { BOOLEAN_COLUMNS, FACT_COLUMNS, KEYWORD_COLUMNS, NUMERIC_COLUMNS } from '../sqlite/schema.ts';
import { indexTerms, type Tokenizer } from '../text-terms.ts';

/** The Elasticsearch source of a call: the same flattened fields as the embedded fact table, plus the document. */
export function esDocument(doc: CallDoc, docHash: string, tokenizer: Tokenizer): Record<string, unknown> {
  const textHash = segmentTextHash(doc);
  const values = factValues(doc, docHash, textHash);
  const byColumn = new Map(FACT_COLUMNS.map((c, i) => [c as string, values[i]]));
  const out: Record<string, unknown> = { id: doc.id, docHash, textHash };
  for (const f of KEYWORD_FIELDS) out[f] = byColumn.get(KEYWORD_COLUMNS[f]) ?? null;
  for (const f of NUMERIC_FIELDS) out[f] = byColumn.get(NUMERIC_COLUMNS[f]) ?? null;
  for (const f of BOOLEAN_FIELDS) {
    const v = byColumn.get(BOOLEAN_COLUMNS[f]);
    out[f] = v === null || v === undefined ? null : v === 1;
  }
  out.recordedAt = byColumn.get('recorded_ms') ?? null;
  out.ingestedAt = byColumn.get('ingested_ms') ?? null;
  const labels = labelsOf(doc);
  out.tags = labels.filter(([k]) => k === 'tag').map(([, v]) => v);
  out.flags = labels.filter(([k]) => k === 'flag').map(([, v]) => v);
  out.checkpoint = Object.fromEntries(checkpointsOf(doc));
  out.custom = doc.meta.custom;
  out.segments = doc.segments.map((s) => ({ id: s.id, role: s.role, tokens: indexTerms(tokenizer, s.textMasked).join(' ') }));
  const embedding = doc.nlp?.embedding;
  if (embedding && embedding.vector.length > 0) {
    out.embeddingModel = embedding.model;
    out.embedding = embedding.vector;
  }
  out.doc = doc;
  return out;
}
