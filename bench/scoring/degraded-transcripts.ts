/**
 * How the default scorecard holds up on vendor transcripts as they really arrive: the dev calls'
 * sidecars degraded the way ASR vendors degrade them, scored as text-only calls, against the labels.
 * Degradations (seeded, deterministic): digits read out as Chinese numerals, punctuation dropped,
 * segments split at a pause or merged, ±0.3 s timing jitter, mono (speakers, no roles or channels).
 *
 *   node --import tsx bench/scoring/degraded-transcripts.ts
 */
import { loadConfig } from '../../core/config.ts';
import { loadScorecards } from '../../scoring-models/scorecard.ts';
import { backtestDegraded, degradations } from '../../tests/degrade.ts';
import { truthCalls } from '../../tests/helpers.ts';

const config = loadConfig();
const card = loadScorecards(config.scorecardsDir)[0]!;
const ids = card.checkpoints.filter((c) => c.label).map((c) => c.id);
console.log(`F1 of "failed" per checkpoint on the ${truthCalls().length} dev calls, text-only (no audio: silence and interruptions from the transcript timings)`);
console.log(`| transcript | ${ids.join(' | ')} |`);
console.log(`|---|${ids.map(() => '---').join('|')}|`);
for (const [name, fn] of Object.entries(degradations)) {
  const result = await backtestDegraded(card, config, fn);
  const f1 = (id: string) => {
    const r = result.find((x) => x.checkpointId === id)!;
    return r.f1 === null ? (r.fp === 0 ? '—' : '0') : r.f1.toFixed(2);
  };
  console.log(`| ${name} | ${ids.map(f1).join(' | ')} |`);
}
