/**
 * Call-level customer emotion from the NLP stage on the dev calls' vendor transcripts, against
 * `truth.emotion.negativeAtEnd` (angry or anxious at the end).
 *
 *   node --import tsx bench/nlp/call-emotion.ts
 */
import path from 'node:path';
import pino from 'pino';
import { assignRoles, readTranscriptFile } from '../../asr/transcript.ts';
import { loadConfig } from '../../core/config.ts';
import { analyzeStage } from '../../nlp/analyze-stage.ts';
import { CALLS_DIR, truthCalls } from '../../tests/helpers.ts';

type EmotionTruth = { emotion: { negativeAtEnd: boolean } };
const ctx = { config: loadConfig(), log: pino({ level: 'silent' }), callId: 'bench' };
let agree = 0;
let n = 0;
console.log('| call | truth: negative at end | customer start → end |');
console.log('|---|---|---|');
for (const c of truthCalls()) {
  const segments = assignRoles(await readTranscriptFile(path.join(CALLS_DIR, `${c.audioFile}.transcript.json`)));
  const r = await analyzeStage.run({ segments }, ctx);
  if (!r.ok) throw new Error(r.reason);
  const e = r.output.nlp.customerEmotion;
  const negative = e?.end === 'negative' || e?.end === 'angry';
  const truth = (c.truth as unknown as EmotionTruth).emotion.negativeAtEnd;
  n++;
  agree += negative === truth ? 1 : 0;
  console.log(`| ${c.callId} | ${truth} | ${e?.start ?? '—'} → ${e?.end ?? '—'} ${negative === truth ? '✓' : '✗'} |`);
}
console.log(`\nnegative-at-end agreement ${agree}/${n}`);
