/**
 * Call-level customer emotion from the NLP stage on the dev calls' vendor transcripts, against
 * `truth.emotion.negativeAtEnd` (angry or anxious at the end).
 *
 *   node --import tsx bench/nlp/call-emotion.ts
 */
import pino from 'pino';
import { loadConfig } from '../../core/config.ts';
import { analyzeStage } from '../../nlp/analyze-stage.ts';
import { devTranscript, truthCalls } from '../../tests/helpers.ts';

const ctx = { config: loadConfig(), log: pino({ level: 'silent' }), callId: 'bench' };
let agree = 0;
let n = 0;
console.log('| call | truth: negative at end | customer start → end |');
console.log('|---|---|---|');
for (const c of truthCalls()) {
  const segments = await devTranscript(c.audioFile);
  const r = await analyzeStage.run({ segments }, ctx);
  if (!r.ok) throw new Error(r.reason);
  const e = r.output.nlp.customerEmotion;
  const negative = e?.end === 'negative' || e?.end === 'angry';
  const truth = c.truth.emotion.negativeAtEnd;
  n++;
  agree += negative === truth ? 1 : 0;
  console.log(`| ${c.callId} | ${truth} | ${e?.start ?? '—'} → ${e?.end ?? '—'} ${negative === truth ? '✓' : '✗'} |`);
}
console.log(`\nnegative-at-end agreement ${agree}/${n}`);
