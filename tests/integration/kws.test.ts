import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asrHost } from '../../asr/asr-host-client.ts';
import { decodeAudio } from '../../asr/ffmpeg.ts';
import { keywordsFromLexicons, parseKeywordList, readTokenSet } from '../../asr/kws/keywords.ts';
import { findKwsModel } from '../../asr/kws/model.ts';
import { keywordTokenVariants } from '../../asr/kws/pinyin-tokens.ts';
import { phoneticMatchScore } from '../../asr/kws/score.ts';
import { KeywordSpotter } from '../../asr/kws/spotter.ts';
import { memoryPcm } from '../../asr/pcm-source.ts';
import { isCallScopeError } from '../../core/errors.ts';
import { CALLS_DIR, MODELS_DIR, SHARED, tempDir, truthCalls } from '../helpers.ts';
import { runCli } from '../run-cli.ts';

/**
 * The real sherpa-onnx zipformer KWS model on real audio: the sample calls (synthetic speech,
 * 8 kHz telephone band) and the Mandarin clips. Truth times come from calls.jsonl.
 */
const model = findKwsModel(MODELS_DIR)!;
const CLIPS = path.join(SHARED, 'data', 'asr-clips');
const tmp = tempDir('callscope-kws-');
afterAll(() => {
  asrHost().stop();
  tmp.cleanup();
});

describe('keywords → model tokens', () => {
  it.each([
    ['投诉', ['t óu s ù']],
    ['银保监会', ['y ín b ǎo j iān h uì']],
    ['金融监管局', ['j īn r óng j iān g uǎn j ú']],
    ['说不清楚', ['sh uō b ù q īng ch ǔ']], // no tone sandhi: 不 stays bù
    ['12378', ['y ī èr s ān q ī b ā', 'y āo èr s ān q ī b ā']], // digits one by one, 1 as 一 or 幺
    ['银行', ['y ín h áng']], // polyphone read in context
  ])('%s → %j', (word, expected) => {
    const variants = keywordTokenVariants(word).map((v) => v.join(' '));
    expect(variants).toEqual(expected);
  });

  it('spells every sensitive-words lexicon term with tokens the model has', () => {
    const known = readTokenSet(model.tokens);
    const specs = keywordsFromLexicons(['sensitive-words']);
    expect(specs.map((s) => s.form)).toEqual(expect.arrayContaining(['投诉', '12378', '银保监会', '金融监管局']));
    for (const s of specs) for (const v of keywordTokenVariants(s.form)) expect(v.filter((t) => !known.has(t))).toEqual([]);
  });

  it('reads per-keyword thresholds and keeps the lexicon term of a known form', () => {
    const specs = parseKeywordList('投诉#0.3，监管局', keywordsFromLexicons(['sensitive-words']));
    expect(specs).toEqual([
      { term: '投诉', form: '投诉', lexicon: 'sensitive', threshold: 0.3 },
      { term: '金融监管局', form: '监管局', lexicon: 'sensitive' },
    ]);
    expect(() => parseKeywordList('投诉#2')).toThrow(/between 0 and 1/);
    expect(() => keywordTokenVariants('ATM')).toThrow(/not Chinese or a digit/);
  });

  it('scores a phonetic decoding against the keyword', () => {
    const kw = ['t', 'óu', 's', 'ù'];
    expect(phoneticMatchScore(kw, ['w', 'ǒ', 'y', 'ào', 't', 'óu', 's', 'ù', 'n', 'ǐ'])).toBe(1);
    expect(phoneticMatchScore(kw, ['t', 'óu', 's', 'ū'])).toBe(0.75);
    expect(phoneticMatchScore(kw, [])).toBe(0);
  });
});

describe('keyword spotting on real audio', () => {
  it('finds 投诉 in the customer channel of SYN-0002 where the customer says it, and nowhere else', async () => {
    const call = truthCalls().find((c) => c.callId === 'SYN-0002')!;
    const said = call.truth.segments.filter((s) => s.text.includes('投诉'));
    expect(said).toHaveLength(1);
    const seg = said[0]!;
    const result = await asrHost().spotKeywords({ file: path.join(CALLS_DIR, call.audioFile), model, keywords: parseKeywordList('投诉') });
    expect(result.channels).toBe(2);
    const hits = result.hits.filter((h) => h.term === '投诉');
    expect(hits).toHaveLength(1);
    const hit = hits[0]!;
    expect(hit).toMatchObject({ channel: 1, role: 'customer', tokens: ['t', 'óu', 's', 'ù'] });
    // Inside the customer's turn that says it (a keyword is well under a second long).
    expect(hit.start).toBeGreaterThanOrEqual(seg.start - 0.5);
    expect(hit.end).toBeLessThanOrEqual(seg.end + 0.5);
    expect(hit.end - hit.start).toBeGreaterThan(0.2);
    expect(hit.end - hit.start).toBeLessThan(1.5);
    expect(hit.score).toBeGreaterThan(0.5);
  });

  it('finds a keyword said right after another one (我要去金融监管局投诉你们, SYN-0010)', async () => {
    const call = truthCalls().find((c) => c.callId === 'SYN-0010')!;
    const seg = call.truth.segments.find((s) => s.text.includes('金融监管局投诉'))!;
    expect(seg.channel).toBe('R');
    // 20 s of the stereo call around that turn, cut by ffmpeg (keeps the test short).
    const from = Math.floor(seg.start) - 5;
    const clip = path.join(tmp.dir, 'syn-0010-cut.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', String(from), '-t', '20', '-i', path.join(CALLS_DIR, call.audioFile), clip]);
    const result = await asrHost().spotKeywords({ file: clip, model, keywords: keywordsFromLexicons(['sensitive-words']) });
    const customer = result.hits.filter((h) => h.role === 'customer');
    expect(customer.map((h) => h.term)).toEqual(['金融监管局', '投诉']);
    for (const h of customer) {
      expect(from + h.start).toBeGreaterThanOrEqual(seg.start - 0.5);
      expect(from + h.end).toBeLessThanOrEqual(seg.end + 0.5);
    }
    expect(customer[1]!.start).toBeGreaterThan(customer[0]!.start);
    expect(result.hits.filter((h) => h.role === 'agent')).toEqual([]);
  });

  it('finds words that are said in a clip and not words that are not said', async () => {
    const file = path.join(CLIPS, '16k', 'BAC009S0764W0121.wav'); // 甚至出现交易几乎停滞的情况
    const result = await asrHost().spotKeywords({ file, model, keywords: parseKeywordList('交易,停滞,投诉,银保监会,信用卡') });
    expect(result).toMatchObject({ channels: 1 });
    expect(result.hits.map((h) => h.term)).toEqual(['交易', '停滞']);
    expect(result.hits.every((h) => h.role === 'unknown')).toBe(true);
    expect(result.hits[0]!.start).toBeLessThan(result.hits[1]!.start);
  });

  it('applies a per-keyword threshold', async () => {
    const file = path.join(CLIPS, '16k', 'BAC009S0764W0121.wav');
    const result = await asrHost().spotKeywords({ file, model, keywords: parseKeywordList('交易#0.99,停滞') });
    expect(result.hits.map((h) => [h.term, h.threshold])).toEqual([['停滞', 0.25]]);
  });

  it('refuses audio that is not 16 kHz with an error instead of letting native code abort', async () => {
    const { channels } = await decodeAudio(path.join(CLIPS, '8k', 'IT0011W0001.wav'));
    const spotter = new KeywordSpotter(model, parseKeywordList('投诉'));
    let caught: unknown;
    try {
      await spotter.spotChannel(() => memoryPcm(channels[0]!), 0, 'unknown', 8000);
    } catch (err) {
      caught = err;
    }
    expect(isCallScopeError(caught) && caught.code).toBe('ASR_FAILED');
    // The same audio, resampled by ffmpeg as decodeAudio does, runs.
    expect((await spotter.spotChannel(() => memoryPcm(channels[0]!), 0, 'unknown')).hits).toEqual([]);
  });
});

describe('callscope kws', () => {
  it('reports hits as JSON lines and fails a bad file alone', async () => {
    const clip = path.join(CLIPS, '8k', 'BAC009S0764W0121.wav'); // telephone band, 8 kHz: ffmpeg resamples
    const r = await runCli(['kws', clip, path.join(CLIPS, 'refs.tsv'), '--keywords', '交易,投诉', '--json'], {});
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; channels: number; hits: Array<{ term: string; role: string }> });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ file: clip, channels: 1 });
    expect(lines[0]!.hits.map((h) => [h.term, h.role])).toEqual([['交易', 'unknown']]);
    expect(r.stderr).toMatch(/refs\.tsv: AUDIO_UNDECODABLE/);
  });

  it('rejects a keyword the model cannot spell before decoding anything', async () => {
    const r = await runCli(['kws', path.join(CALLS_DIR, 'SYN-0002.mp3'), '--keywords', 'ATM'], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ATM.*not Chinese or a digit/);
  });
});
