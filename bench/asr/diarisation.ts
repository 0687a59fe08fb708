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
import { clustersOf, fuseRoles, rolesOfTurns, type RoleUnit } from '../../asr/role-fusion.ts';
import { agentSpeaker } from '../../asr/roles.ts';
import { readTranscriptFile } from '../../asr/transcript.ts';
import { detectSpeech } from '../../asr/vad.ts';
import type { SpeechRegion } from '../../core/schemas.ts';
import { diarisationError, roleAccuracy } from '../../tests/diarisation-metrics.ts';
import { CALLS_DIR, MODELS_DIR, truthCalls } from '../../tests/helpers.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'callscope-diar-'));
const vadModel = findVadModel(MODELS_DIR)!;

type Row = { call: string; source: string; ours: number; one: number; alt: number; roleGreeting: number; roleFirst: number; basis: string; roleOne: number; roleAlt: number; secs: number; audioSec: number;
  roleText: number; roleFused: number; derFusedVendor: number; derFusedTurns: number; roleFusedTurns: number; clusterError: number | null };

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
  // New: roles from the words (STC-3 line classifier) alone, and fused with our acoustic clusters.
  const textUnits: RoleUnit[] = vendor;
  // Null = the text says nothing about the sides: the old rule stands (never the case on these calls' clean text).
  const byText = fuseRoles(textUnits) ?? { roles: vendor.map(() => 'agent'), agentCluster: null, clusterError: null };
  const fusedUnits: RoleUnit[] = vendor.map((v) => ({ ...v, clusters: clustersOf(v, ours) }));
  const fused = fuseRoles(fusedUnits) ?? { roles: vendor.map((v) => (clustersOf(v, ours)[byFirst.agent] ? 'agent' : 'customer')), agentCluster: byFirst.agent, clusterError: null };
  const asRoleSegs = (roles: string[]) => vendor.map((v, i) => ({ start: v.start, end: v.end, role: roles[i]!, speaker: roles[i]! === 'agent' ? 'S1' : 'S2' }));
  const fusedTurns = rolesOfTurns(ours, fusedUnits, fused).map((t) => ({ ...t, speaker: t.role === 'agent' ? 'S1' : 'S2' }));
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
    roleText: roleAccuracy(ref, asRoleSegs(byText.roles), d.durationSec),
    roleFused: roleAccuracy(ref, asRoleSegs(fused.roles), d.durationSec),
    derFusedVendor: diarisationError(ref, asRoleSegs(fused.roles), d.durationSec).der,
    derFusedTurns: diarisationError(ref, fusedTurns, d.durationSec).der,
    roleFusedTurns: roleAccuracy(ref, fusedTurns, d.durationSec),
    clusterError: fused.clusterError,
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

console.log('\nRoles from the words (vendor text without roles or speakers; line classifier trained on STC-3, asr/role-text/) and fused with the acoustic clusters above (asr/role-fusion.ts):\n');
console.log('| call | role acc. old (first speaker, acoustics) | role acc. text only | role acc. text + acoustics | DER text + acoustics (vendor segment times) | DER ours, turns relabelled by fusion | role acc. turns relabelled | cluster error est. |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.call} | ${pct(r.roleFirst)} | ${pct(r.roleText)} | ${pct(r.roleFused)} | ${pct(r.derFusedVendor)} | ${pct(r.derFusedTurns)} | ${pct(r.roleFusedTurns)} | ${r.clusterError === null ? '–' : r.clusterError.toFixed(2)} |`);
}
console.log(`| **mean (${rows.length} calls)** | ${pct(mean('roleFirst'))} | ${pct(mean('roleText'))} | **${pct(mean('roleFused'))}** | ${pct(mean('derFusedVendor'))} | ${pct(mean('derFusedTurns'))} | ${pct(mean('roleFusedTurns'))} | |`);
console.log(`min role acc. text + acoustics ${pct(Math.min(...rows.map((r) => r.roleFused)))}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
