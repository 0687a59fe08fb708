/**
 * The embedded store's tables. `calls` is a narrow fact table (one row a call, every filterable
 * field a column) so aggregations scan little; the document itself lives in `call_docs`
 * (v8-serialised, LZ4-compressed: doc-codec.ts) and is read only for the page shown. Segment text is in a contentless
 * FTS5 table with one row per call (rowid = the call number), one column per role.
 */
export const SCHEMA_VERSION = 6;

/** Keyword, numeric, boolean and date columns of `calls`, by query-model field. */
export const KEYWORD_COLUMNS = {
  status: 'status',
  callId: 'call_id',
  agentId: 'agent_id',
  agentName: 'agent_name',
  team: 'team',
  branch: 'branch',
  region: 'region',
  product: 'product',
  channel: 'channel',
  direction: 'direction',
  customerId: 'customer_id',
  customerSegment: 'customer_segment',
  language: 'language',
  category: 'category',
  reviewStatus: 'review_status',
  scorecardId: 'scorecard_id',
  customerEmotionStart: 'customer_emotion_start',
  customerEmotionEnd: 'customer_emotion_end',
  customerEmotionWorst: 'customer_emotion_worst',
  agentEmotionStart: 'agent_emotion_start',
  agentEmotionEnd: 'agent_emotion_end',
  agentEmotionWorst: 'agent_emotion_worst',
} as const;

export const NUMERIC_COLUMNS = {
  score: 'score',
  durationSec: 'duration_sec',
  silenceRatio: 'silence_ratio',
  talkRatio: 'talk_ratio',
  longestSilenceSec: 'longest_silence_sec',
  overlapSec: 'overlap_sec',
  agentSpeechRate: 'agent_speech_rate',
  customerSpeechRate: 'customer_speech_rate',
  agentInterruptions: 'agent_interruptions',
  customerInterruptions: 'customer_interruptions',
  sensitiveHits: 'sensitive_hits',
  forbiddenHits: 'forbidden_hits',
} as const;

export const BOOLEAN_COLUMNS = { passed: 'passed', vetoed: 'vetoed', complaintEscalated: 'complaint_escalated' } as const;
export const DATE_COLUMNS = { recordedAt: 'recorded_ms', ingestedAt: 'ingested_ms' } as const;

const required = new Set(['status', 'ingested_ms']);
const columnList = [
  ...Object.values(KEYWORD_COLUMNS).map((c) => `${c} TEXT${required.has(c) ? ' NOT NULL' : ''}`),
  ...Object.values(NUMERIC_COLUMNS).map((c) => `${c} REAL`),
  ...Object.values(BOOLEAN_COLUMNS).map((c) => `${c} INTEGER`),
  ...Object.values(DATE_COLUMNS).map((c) => `${c} INTEGER${required.has(c) ? ' NOT NULL' : ''}`),
];

/** Columns of `calls` in insert order (after n and id). */
export const FACT_COLUMNS = [
  ...Object.values(KEYWORD_COLUMNS),
  ...Object.values(NUMERIC_COLUMNS),
  ...Object.values(BOOLEAN_COLUMNS),
  ...Object.values(DATE_COLUMNS),
  'custom',
  'segment_count',
  'text_hash',
  'doc_hash',
  'labels',
  'checkpoints',
] as const;

/**
 * One FTS5 column per role: "customer said X" is a column filter on X's own doclist, not an AND
 * with a role term that half of all segments carry (v3 did that: ~6× slower at 1M calls).
 * Since v6 one row per call (rowid = n): a role's segments are joined with SEGMENT_BREAK between
 * them, so a phrase never spans two segments; "all these words in one segment" is checked on the
 * candidates against `call_words` (see wordsInOneSegment).
 */
export const FTS_DDL = `CREATE VIRTUAL TABLE call_fts USING fts5(agent, customer, unknown, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');`;

/**
 * The word between two segments of one role in a call's FTS row: a private-use character, which
 * unicode61 keeps as a token but normaliseTerms never produces from a query (letters and digits only).
 */
export const SEGMENT_BREAK = '\uE000';

/**
 * A call's label or checkpoint rows as one fact-row column: \`kind<TAB>value\` / \`checkpoint<TAB>outcome\`,
 * one a line (null when none). Since v6 the row tables have no index by call: a re-put or delete
 * finds the rows to remove here, and the analytics mirror reads them from here.
 */
export const LIST_ENTRY = '\t';
export const LIST_LINE = '\n';
export const toList = (entries: Array<[string, string]>): string | null => (entries.length ? entries.map(([a, b]) => `${a}${LIST_ENTRY}${b}`).join(LIST_LINE) : null);
export const fromList = (list: string | null): Array<[string, string]> =>
  list ? list.split(LIST_LINE).map((line) => line.split(LIST_ENTRY) as [string, string]) : [];

/** Each segment's index terms, one line a segment: `role term term …` (the multi-word check). */
export const WORDS_DDL = 'CREATE TABLE call_words (n INTEGER PRIMARY KEY, words TEXT NOT NULL);';

export const DDL = `
CREATE TABLE calls (
  n INTEGER PRIMARY KEY, -- recording minute × 65,536 + slot (see CALLS_PER_MINUTE)
  id TEXT NOT NULL UNIQUE,
  ${columnList.join(',\n  ')},
  custom TEXT,
  segment_count INTEGER NOT NULL,
  text_hash TEXT NOT NULL,
  doc_hash TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  labels TEXT, -- since v6: the call's label rows (LABEL_LIST), for re-puts, deletes and the mirror
  checkpoints TEXT -- since v6: its checkpoint rows, likewise
);
CREATE INDEX calls_seq ON calls(seq);
CREATE TABLE store_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO store_counters VALUES ('seq', 0);
CREATE TABLE deleted_calls (seq INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE INDEX calls_recorded ON calls(recorded_ms);
CREATE INDEX calls_branch ON calls(branch, recorded_ms);
CREATE INDEX calls_product ON calls(product, recorded_ms);
CREATE INDEX calls_agent ON calls(agent_id, recorded_ms);
CREATE INDEX calls_team ON calls(team, recorded_ms);
CREATE INDEX calls_score ON calls(score);
CREATE TABLE call_docs (n INTEGER PRIMARY KEY, doc BLOB NOT NULL, codec INTEGER); -- codec: doc-codec.ts (added to older files at open)
CREATE TABLE call_labels (kind TEXT NOT NULL, value TEXT NOT NULL, call_n INTEGER NOT NULL, PRIMARY KEY (kind, value, call_n)) WITHOUT ROWID;
CREATE TABLE call_checkpoints (
  checkpoint_id TEXT NOT NULL, outcome TEXT NOT NULL, call_n INTEGER NOT NULL, PRIMARY KEY (checkpoint_id, outcome, call_n)
) WITHOUT ROWID;
CREATE TABLE call_vectors (n INTEGER PRIMARY KEY, model TEXT NOT NULL, dims INTEGER NOT NULL, vector BLOB NOT NULL);
${FTS_DDL}
${WORDS_DDL}
`;

/** A call holds at most 4,096 segments (segment vectors are keyed n × 4,096 + i; v5's FTS rowids were too). */
export const SEGMENT_SHIFT = 12;
export const MAX_SEGMENTS = 2 ** SEGMENT_SHIFT;

/**
 * Since v5 a call's number `n` is its recording minute (since 2000-01-01 UTC, 25 bits: until 2063)
 * × 65,536 + a slot: call numbers — and so FTS rowids — follow recording time. A text search
 * sorted newest first reads each word's doclist from its end and stops after the page (FTS5
 * returns rows in rowid order, and a rowid bound is a filter, not a seek). n < 2^41, so a segment
 * key (n × 4,096 + segment) stays below 2^53 and is exact in JavaScript; never use bit operators on it.
 * Calls without a recording time sort last: they take negative numbers (-1, -2, …), one group.
 */
export const CALLS_PER_MINUTE = 65_536;
const EPOCH_MS = Date.UTC(2000, 0, 1);
const LAST_MINUTE = 2 ** 25 - 1;
/** The group of calls without a recording time (numbers below 0). */
export const UNDATED = -1;
/** The recording minute of a time (clamped to 2000–2063), or UNDATED. */
export function recordingMinute(recordedMs: number | null): number {
  if (recordedMs === null) return UNDATED;
  return Math.min(LAST_MINUTE, Math.max(0, Math.floor((recordedMs - EPOCH_MS) / 60_000)));
}
export const minuteOfCall = (n: number): number => Math.floor(n / CALLS_PER_MINUTE);
