import { CallScopeError, isCallScopeError, messageOf } from '../core/errors.ts';
import type { Acoustics, SpeechRegion } from '../core/schemas.ts';
import { ok, type Stage } from '../core/stage.ts';
import type { RoleSpan } from '../core/timeline.ts';
import { computeAcoustics } from './acoustics.ts';
import type { DiarSegment } from './diarise.ts';
import { clustersOf, fuseRoles, rolesOfTurns } from './role-fusion.ts';
import { agentSpeaker } from './roles.ts';
import { asrHost, asrTimeoutMs } from './asr-host-client.ts';
import { type AudioInfo, probeAudio } from './ffmpeg.ts';
import { BANKING_HOTWORDS } from './hotwords.ts';
import { spotCallKeywords, wantsKeywordSpotting } from './kws/call-hits.ts';
import { selectAsrEngine, selectVadModel } from './models.ts';
import { assignRoles, readTranscriptFile, vendorNeedsDiarisation, roleOfChannel, type RawSegment } from './transcript.ts';

export type TranscribeInput = {
  /** The stored recording, or null for a text-only call. */
  audioFile: string | null;
  /** A transcript from the bank's ASR vendor (sidecar or text-only call). */
  transcriptFile: string | null;
};

export type TranscribeOutput = {
  durationSec: number;
  audio: Pick<AudioInfo, 'format' | 'codec' | 'channels' | 'sampleRate'> | null;
  speech: SpeechRegion[];
  segments: RawSegment[];
  acoustics: Acoustics;
  transcriptSource: string;
};

/** Transcript timings may jitter past the end of the audio; more than this means a cut recording. */
const TRANSCRIPT_OVERRUN_TOLERANCE_SEC = 1.5;

/**
 * Audio + vendor transcript: acoustics from the audio, text from the vendor.
 * Audio alone: whisper.cpp on the VAD speech regions of each channel.
 * Transcript alone: a text-only call; acoustics from the transcript's timings.
 */
export const transcribeStage: Stage<TranscribeInput, TranscribeOutput> = {
  name: 'transcribe',
  // 2: mono roles from the words fused with the voice clusters; keyword-spotting hits.
  version: '2',
  async run(input, ctx) {
    const warnings: string[] = [];
    try {
      const vendor = input.transcriptFile ? await readTranscriptFile(input.transcriptFile) : null;
      if (!input.audioFile) {
        if (!vendor) throw new CallScopeError('TRANSCRIPT_INVALID', 'a call needs audio or a transcript');
        const segments = assignRoles(vendor);
        const durationSec = Math.max(...segments.map((s) => s.end));
        return ok({
          durationSec,
          audio: null,
          speech: [],
          segments,
          acoustics: computeAcoustics({ durationSec, segments, speech: [], stereo: false }),
          transcriptSource: `vendor:${vendor.engine}`,
        });
      }

      const vadModel = selectVadModel(ctx.config.modelsDir, ctx.config.asr.vad);
      if (!vadModel) throw new CallScopeError('ASR_MODEL_MISSING', `no Silero VAD model under ${ctx.config.modelsDir}/asr/vad (CALLSCOPE_VAD=${ctx.config.asr.vad})`);
      const choice = vendor ? null : selectAsrEngine(ctx.config.modelsDir, ctx.config.asr.engine);
      // The audio is decoded and checked first: a broken file must be reported as such, not as a missing model.
      const probed = await probeAudio(input.audioFile);
      const audio = await asrHost().analyze(
        {
          file: input.audioFile,
          vadModel,
          engine: choice?.engine ?? null,
          hotwords: [...BANKING_HOTWORDS, ...ctx.config.asr.hotwords],
          threads: ctx.config.asrThreads,
          language: 'zh',
          // A vendor transcript with roles or speaker labels brings its own turns: mono diarisation would be unused work.
          diarise: !vendor || vendorNeedsDiarisation(vendor),
          probed,
        },
        { timeoutMs: asrTimeoutMs(probed.declaredDurationSec, ctx.config.asr.timeoutFactor) },
      );
      const stereo = audio.info.channels >= 2;
      const roleOf = audio.diarisation ? agentSpeaker(audio.diarisation) : null;
      const roleBasis = roleOf?.basis;
      let diarised: SpeakerSpan[] | undefined = audio.diarisation
        ? audio.diarisation.map((d) => ({ ...d, role: d.speaker === roleOf?.agent ? 'agent' : 'customer' }))
        : undefined;

      let segments: RawSegment[];
      let transcriptSource: string;
      if (vendor) {
        // A mono vendor file without speaker labels takes its clusters from our diariser.
        segments = assignRoles(vendor, stereo ? [] : (audio.diarisation ?? []));
        transcriptSource = `vendor:${vendor.engine}`;
        const lastEnd = Math.max(...segments.map((s) => s.end));
        if (lastEnd > audio.durationSec + TRANSCRIPT_OVERRUN_TOLERANCE_SEC) {
          throw new CallScopeError(
            'AUDIO_TRUNCATED',
            `the transcript runs to ${lastEnd.toFixed(1)} s but the audio ends at ${audio.durationSec.toFixed(1)} s (truncated recording or wrong transcript)`,
          );
        }
      } else {
        const t = audio.transcript;
        if (!t) {
          throw new CallScopeError('ASR_MODEL_MISSING', `no transcript was supplied and ${choice?.missing ?? 'no ASR model is installed'}`);
        }
        segments = t.channels
          .flatMap((segs, channel) => segs.map((s) => ({ ...s, channel, role: stereo ? roleOfChannel(channel) : ('unknown' as const) })))
          .sort((a, b) => a.start - b.start);
        transcriptSource = `asr:${t.engine}`;
        if (!stereo) {
          segments = labelSpeakers(segments, diarised);
          const byText = audio.diarisation && segments.some((x) => HAS_WORDS.test(x.text)) ? fuseWithText(segments, audio.diarisation) : null;
          if (byText) {
            segments = byText.segments;
            diarised = byText.turns;
            warnings.push(`mono recording: speakers diarised from the audio, roles from the words fused with the acoustic clusters (estimated cluster error ${byText.clusterError ?? '–'})`);
          } else {
            warnings.push(`mono recording: speakers diarised from the audio, agent by ${roleBasis ?? 'nothing (no speech)'}`);
          }
        }
        if (segments.length === 0) warnings.push('the ASR engine returned no text');
      }

      const acoustics = computeAcoustics({
        durationSec: audio.durationSec,
        segments,
        speech: audio.speech,
        stereo,
        ...(diarised && !vendor ? { diarised } : {}),
      });
      if (wantsKeywordSpotting(ctx.config, segments.some((x) => HAS_WORDS.test(x.text)))) {
        // Audio evidence for keyword checkpoints; a failure here costs the hits, not the call.
        try {
          const monoTurns = stereo ? [] : vendor ? segments : (diarised ?? []);
          const hits = await spotCallKeywords(input.audioFile, ctx.config, audio.durationSec, monoTurns);
          if (hits) acoustics.keywordHits = hits;
          else if (ctx.config.kws.mode === 'always') warnings.push('keyword spotting skipped: no KWS model installed (callscope models download --engine kws)');
        } catch (err) {
          warnings.push(`keyword spotting failed: ${messageOf(err)}`);
        }
      }

      const { format, codec, channels, sampleRate } = audio.info;
      return ok(
        {
          durationSec: Math.round(audio.durationSec * 1000) / 1000,
          audio: { format, codec, channels, sampleRate },
          speech: audio.speech,
          segments,
          acoustics,
          transcriptSource,
        },
        warnings,
      );
    } catch (err) {
      if (isCallScopeError(err)) {
        return { ok: false, code: err.code, reason: err.message, retryable: err.details?.retryable === true };
      }
      return { ok: false, code: 'STAGE_FAILED', reason: messageOf(err), retryable: true };
    }
  },
};

const HAS_WORDS = /[\p{L}\p{N}]/u;

/** Roles of ASR segments (and of the diarised turns under them) from their words fused with the acoustic clusters. */
function fuseWithText(segments: RawSegment[], turns: DiarSegment[]): { segments: RawSegment[]; turns: SpeakerSpan[]; clusterError: number | null } | null {
  const units = segments.map((x) => ({ start: x.start, end: x.end, text: x.text, clusters: clustersOf(x, turns) }));
  const fusion = fuseRoles(units);
  if (!fusion) return null;
  return {
    segments: segments.map((x, i) => ({ ...x, role: fusion.roles[i]! })),
    turns: rolesOfTurns(turns, units, fusion),
    clusterError: fusion.clusterError,
  };
}

/** Each ASR segment of a mono call takes the diarised speaker (and role) it overlaps most. */
type SpeakerSpan = RoleSpan & { speaker: string };

function labelSpeakers(segments: RawSegment[], turns: SpeakerSpan[] | undefined): RawSegment[] {
  if (!turns || turns.length === 0) return segments;
  return segments.map((s) => {
    let best: SpeakerSpan | undefined;
    let most = 0;
    for (const t of turns) {
      const o = Math.min(s.end, t.end) - Math.max(s.start, t.start);
      if (o > most) {
        most = o;
        best = t;
      }
    }
    return best ? { ...s, role: best.role, speaker: best.speaker } : s;
  });
}
