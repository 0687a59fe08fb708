/**
 * How the default scorecard holds up on vendor transcripts as they really arrive: the dev calls'
 * sidecars degraded the way ASR vendors degrade them, scored as text-only calls, against the labels.
 * Degradations (seeded, deterministic): digits read out as Chinese numerals, sound-alike slips, punctuation dropped,
 * segments split at a pause or merged, ±0.3 s timing jitter, mono (speakers, no roles or channels).
 *
 *   node --import tsx bench/scoring/degraded-transcripts.ts
 */
import { loadConfig } from '../../core/config.ts';
import { loadScorecards } from '../../scoring-models/scorecard.ts';
import { backtestDegraded, degradations } from '../../tests/degrade.ts';
import { truthCalls } from '../../tests/helpers.ts';
import { FLAG_IDS } from '../../scoring-models/flags.ts';

const config = loadConfig();
const card = loadScorecards(config.scorecardsDir)[0]!;
const ids = card.checkpoints.filter((c) => c.label).map((c) => c.id);
console.log(`F1 of "failed" per checkpoint, and of each call flag, on the ${truthCalls().length} dev calls, text-only (no audio: silence and interruptions from the transcript timings)`);
console.log(`| transcript | ${ids.join(' | ')} | ${FLAG_IDS.join(' | ')} |`);
console.log(`|---|${[...ids, ...FLAG_IDS].map(() => '---').join('|')}|`);
const cell = (r: { f1: number | null; fp: number }) => (r.f1 === null ? (r.fp === 0 ? '—' : '0') : r.f1.toFixed(2));
for (const [name, fn] of Object.entries(degradations)) {
  const { checkpoints, flags } = await backtestDegraded(card, config, fn);
  const row = [...ids.map((id) => cell(checkpoints.find((x) => x.checkpointId === id)!)), ...FLAG_IDS.map((f) => cell(flags.find((x) => x.flag === f)!))];
  console.log(`| ${name} | ${row.join(' | ')} |`);
}
