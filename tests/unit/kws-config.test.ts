import { describe, expect, it } from 'vitest';
import { callKeywords, mergeOverlapping, wantsKeywordSpotting } from '../../asr/kws/call-hits.ts';
import { loadConfig } from '../../core/config.ts';

describe('keyword spotting in the transcribe stage: configuration', () => {
  it('spots the sensitive-words lexicon by default, each hit reporting the lexicon term', () => {
    const specs = callKeywords(loadConfig({}));
    expect(specs.find((k) => k.form === '投诉')).toMatchObject({ term: '投诉', lexicon: 'sensitive' });
    expect(specs.some((k) => k.form === '12378')).toBe(true);
  });

  it('adds CALLSCOPE_KWS_KEYWORDS with per-keyword thresholds; a form the lexicon knows reports its term', () => {
    const specs = callKeywords(loadConfig({ CALLSCOPE_KWS_KEYWORDS: '投诉#0.4,监管局#0.15,年费' }));
    const extra = specs.slice(callKeywords(loadConfig({})).length);
    expect(extra).toEqual([
      { term: '投诉', form: '投诉', lexicon: 'sensitive', threshold: 0.4 },
      { term: '金融监管局', form: '监管局', lexicon: 'sensitive', threshold: 0.15 },
      { term: '年费', form: '年费' },
    ]);
  });

  it.each([
    ['auto', false, true],
    ['auto', true, false],
    ['always', true, true],
    ['off', false, false],
  ] as const)('CALLSCOPE_KWS=%s, transcript text %s → spot %s', (mode, hasText, spot) => {
    expect(wantsKeywordSpotting(loadConfig({ CALLSCOPE_KWS: mode }), hasText)).toBe(spot);
  });

  it.each([['CALLSCOPE_KWS', 'sometimes'], ['CALLSCOPE_KWS_THRESHOLD', '1.5']])('refuses %s=%s at start-up', (k, v) => {
    expect(() => loadConfig({ [k]: v })).toThrow(k);
  });

  it('merges overlapping hits of one term on one channel (two forms of one word), keeping the best score', () => {
    const h = (term: string, channel: number, start: number, end: number, score: number) => ({ term, channel, start, end, score });
    expect(mergeOverlapping([h('投诉', 1, 10, 11, 0.5), h('投诉', 1, 10.4, 11.2, 0.7), h('投诉', 0, 10, 11, 0.4), h('12378', 1, 10.5, 11, 0.6)])).toEqual([
      h('投诉', 1, 10, 11.2, 0.7),
      h('投诉', 0, 10, 11, 0.4),
      h('12378', 1, 10.5, 11, 0.6),
    ]);
  });
});
