/**
 * Mono diarisation and role assignment against the exact truth of the sample calls: the 2 mono
 * calls as delivered, plus mono downmixes (ffmpeg -ac 1) of the 10 stereo ones. Beside our method,
 * the trivial baselines on the same VAD regions: everything one speaker; speakers alternating at
 * each VAD region. Prints a table per call and the totals.
 *
 *   node --import tsx bench/asr/diarisation.ts [--json]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeAudio } from '../../asr/ffmpeg.ts';
import { type DiarSegment, diarise } from '../../asr/diarise.ts';
import { findVadModel } from '../../asr/models.ts';
import { agentSpeaker } from '../../asr/roles.ts';
import { readTranscriptFile } from '../../asr/transcript.ts';
import { detectSpeech } from '../../asr/vad.ts';
import type { SpeechRegion } from '../../core/schemas.ts';
import { diarisationError, roleAccuracy } from '../../tests/diarisation-metrics.ts';
import { CALLS_DIR, MODELS_DIR, truthCalls } from '../../tests/helpers.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'callscope-diar-'));
const vadModel = findVadModel(MODELS_DIR)!;

type Row = { call: string; source: string; ours: number; one: number; alt: number; roleGreeting: number; roleFirst: number; basis: string; roleOne: number; roleAlt: number; secs: number; audioSec: number };

const withRoles = (segs: DiarSegment[], agent: string) => segs.map((s) => ({ ...s, role: s.speaker === agent ? 'agent' : 'customer' }));

const rows: Row[] = [];
for (const call of truthCalls()) {
  let file = path.join(CALLS_DIR, call.audioFile);
  const source = call.audio.channels === 1 ? 'mono' : 'downmix';
  if (call.audio.channels !== 1) {
    const mixed = path.join(tmp, `${call.callId}.wav`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', file, '-ac', '1', mixed]);
    file = mixed;
  }
  const d = await decodeAudio(file);
  const pcm = d.channels[0]!;
  const regions: SpeechRegion[] = await detectSpeech(vadModel, pcm, 0, 2);
  const t0 = performance.now();
  const ours = diarise(pcm, regions);
  const secs = (performance.now() - t0) / 1000;
  const ref = call.truth.segments;
  const one: DiarSegment[] = regions.map((r) => ({ start: r.start, end: r.end, speaker: 'S1' }));
  const alt: DiarSegment[] = regions.map((r, i) => ({ start: r.start, end: r.end, speaker: i % 2 === 0 ? 'S1' : 'S2' }));
  // The vendor sidecar's text and times, without its roles or speakers (what a mono vendor file gives).
  const vendor = (await readTranscriptFile(path.join(CALLS_DIR, `${call.audioFile}.transcript.json`))).segments.map(({ start, end, text }) => ({ start, end, text }));
  const byGreeting = agentSpeaker(ours, vendor)!;
  const byFirst = agentSpeaker(ours)!;
  rows.push({
    call: call.callId,
    source,
    ours: diarisationError(ref, ours, d.durationSec).der,
    one: diarisationError(ref, one, d.durationSec).der,
    alt: diarisationError(ref, alt, d.durationSec).der,
    roleGreeting: roleAccuracy(ref, withRoles(ours, byGreeting.agent), d.durationSec),
    roleFirst: roleAccuracy(ref, withRoles(ours, byFirst.agent), d.durationSec),
    basis: `${byGreeting.basis} / ${byFirst.basis}`,
    roleOne: roleAccuracy(ref, withRoles(one, 'S1'), d.durationSec),
    roleAlt: roleAccuracy(ref, withRoles(alt, 'S1'), d.durationSec),
    secs,
    audioSec: d.durationSec,
  });
}
rmSync(tmp, { recursive: true, force: true });

if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
console.log('| call | audio | DER ours | DER one speaker | DER alternate | role acc. ours (greeting) | role acc. ours (first speaker) | role acc. one | role acc. alternate |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.call} | ${r.source} | ${pct(r.ours)} | ${pct(r.one)} | ${pct(r.alt)} | ${pct(r.roleGreeting)} | ${pct(r.roleFirst)} | ${pct(r.roleOne)} | ${pct(r.roleAlt)} |`);
}
const mean = (k: keyof Row) => rows.reduce((s, r) => s + (r[k] as number), 0) / rows.length;
console.log(`| **mean (${rows.length} calls)** | | **${pct(mean('ours'))}** | ${pct(mean('one'))} | ${pct(mean('alt'))} | **${pct(mean('roleGreeting'))}** | ${pct(mean('roleFirst'))} | ${pct(mean('roleOne'))} | ${pct(mean('roleAlt'))} |`);
const audio = rows.reduce((s, r) => s + r.audioSec, 0);
console.log(`\ndiarisation alone: ${(audio / rows.reduce((s, r) => s + r.secs, 0)).toFixed(0)}× real time; max DER ours ${pct(Math.max(...rows.map((r) => r.ours)))}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
