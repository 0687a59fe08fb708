import type { CallDoc } from '../../core/schemas.ts';
import { checkpointsOf, factValues, gradeValues, labelsOf, segmentTextHash } from '../sqlite/call-row.ts';
import { withoutSegmentEmbeddings, type Grade } from '../call-store.ts';
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
  const segmentVectors = new Map((doc.nlp?.segmentEmbeddings?.vectors ?? []).filter((v) => v.vector.some((x) => x !== 0)).map((v) => [v.segmentId, v.vector]));
  out.segments = doc.segments.map((s) => {
    const vector = segmentVectors.get(s.id);
    return { id: s.id, role: s.role, tokens: indexTerms(tokenizer, s.textMasked).join(' '), ...(vector ? { vector } : {}) };
  });
  const embedding = doc.nlp?.embedding;
  if (embedding && embedding.vector.length > 0) {
    out.embeddingModel = embedding.model;
    out.embedding = embedding.vector;
  }
  out.doc = withoutSegmentEmbeddings(doc);
  return out;
}

/** Where a column lives in the Elasticsearch source. */
const FIELD_OF_COLUMN = new Map<string, string>([
  ...KEYWORD_FIELDS.map((f) => [KEYWORD_COLUMNS[f], f] as [string, string]),
  ...NUMERIC_FIELDS.map((f) => [NUMERIC_COLUMNS[f], f] as [string, string]),
  ...BOOLEAN_FIELDS.map((f) => [BOOLEAN_COLUMNS[f], f] as [string, string]),
]);

const BOOLEAN_COLUMN_SET = new Set<string>(BOOLEAN_FIELDS.map((f) => BOOLEAN_COLUMNS[f]));

/**
 * A partial update replacing a call's grades (CallStore.putGrades): applied by a script only when the
 * stored docHash has the grade's base, otherwise a no-op (the caller then puts the whole document).
 */
export function esGradeUpdate(g: Grade): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [column, v] of Object.entries(gradeValues(g.scores))) fields[FIELD_OF_COLUMN.get(column)!] = BOOLEAN_COLUMN_SET.has(column) && v !== null ? v === 1 : v;
  return {
    script: {
      lang: 'painless',
      source: [
        "if (ctx._source.docHash == null || !ctx._source.docHash.startsWith(params.base + '.')) { ctx.op = 'noop'; return; }",
        'for (entry in params.fields.entrySet()) { ctx._source[entry.getKey()] = entry.getValue(); }',
        'ctx._source.docHash = params.docHash;',
        'ctx._source.checkpoint = params.checkpoint;',
        'ctx._source.doc.scores = params.scores;',
        'ctx._source.doc.versions.score = params.scoreVersion;',
      ].join(' '),
      params: { base: g.baseHash, docHash: g.docHash, fields, checkpoint: Object.fromEntries(checkpointsOf(g)), scores: g.scores, scoreVersion: g.scoreVersion },
    },
  };
}
