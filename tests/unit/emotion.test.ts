import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallScopeError } from '../../core/errors.ts';
import { LexiconBaseline } from '../../nlp/emotion/baseline.ts';
import { callEmotion, classify, DEFAULT_EMOTION_MODEL, loadEmotionModel } from '../../nlp/emotion/classifier.ts';
import { isTestItem } from '../../nlp/emotion/corpora.ts';
import { featureNames, fnv1a } from '../../nlp/emotion/features.ts';
import { classificationMetrics } from '../../nlp/emotion/metrics.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'emotion-'));
const unhappy = (s: { negative: number; angry: number }) => s.negative + s.angry;

describe('loading the emotion model', () => {
  it('rejects a missing file with FILE_NOT_FOUND', () => {
    expect(() => loadEmotionModel(path.join(tmp, 'nope.json'))).toThrow(CallScopeError);
    try {
      loadEmotionModel(path.join(tmp, 'nope.json'));
    } catch (err) {
      expect((err as CallScopeError).code).toBe('FILE_NOT_FOUND');
    }
  });

  it.each([
    ['not JSON', '{"kind": "callscope-emo'],
    ['wrong shape', '{"kind": "callscope-emotion", "version": "x"}'],
  ])('rejects a corrupt file (%s) with CONFIG_INVALID', (_, content) => {
    const file = path.join(tmp, 'bad.json');
    writeFileSync(file, content);
    expect(() => loadEmotionModel(file)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('rejects weights that do not match the feature config', () => {
    const model = JSON.parse(readFileSync(DEFAULT_EMOTION_MODEL, 'utf8'));
    model.weights.data = Buffer.from(new Int8Array(16)).toString('base64');
    const file = path.join(tmp, 'short.json');
    writeFileSync(file, JSON.stringify(model));
    expect(() => loadEmotionModel(file)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('records version, label set and training data digest', () => {
    const model = JSON.parse(readFileSync(DEFAULT_EMOTION_MODEL, 'utf8'));
    expect(model.version).toBe('emotion-v1');
    expect([...model.labels].sort()).toEqual(['angry', 'negative', 'neutral', 'positive']);
    expect(model.training.dataDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('classify', () => {
  it('hears an angry complaint', () => {
    expect(['angry', 'negative']).toContain(classify('你们这服务太差了，我要投诉！').label);
  });

  it('hears a satisfied customer', () => {
    expect(classify('谢谢你，问题解决了，非常满意').label).toBe('positive');
  });

  it('flips with negation', () => {
    const yes = classify('我对这次服务很满意');
    const no = classify('我对这次服务很不满意');
    expect(yes.label).toBe('positive');
    expect(['angry', 'negative']).toContain(no.label);
    expect(unhappy(no.scores)).toBeGreaterThan(unhappy(yes.scores));
    expect(featureNames('不满意')).toContain('neg:满意');
  });

  it('returns a probability distribution whose top label is the label', () => {
    const r = classify('等了一个小时还没人处理');
    const values = Object.values(r.scores);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(r.score).toBe(Math.max(...values));
  });

  it('calls text without letters or digits neutral', () => {
    expect(classify('').label).toBe('neutral');
    expect(classify(' …？').label).toBe('neutral');
  });

  it('is deterministic, also across loads', () => {
    const text = '卡被冻结了也没人通知我，你们怎么回事？';
    const other = loadEmotionModel();
    expect(classify(text)).toEqual(classify(text));
    expect(other.classify(text)).toEqual(classify(text));
  });
});

describe('callEmotion', () => {
  const call = [
    { role: 'agent', start: 0, text: '您好，这里是客服中心，请问有什么可以帮您？' },
    { role: 'customer', start: 3, text: '你们乱扣我年费，太过分了，我要投诉！' },
    { role: 'agent', start: 8, text: '非常抱歉给您带来不便，我马上为您核实。' },
    { role: 'customer', start: 12, text: '上个月就说处理，到现在都没人管，简直是骗子！' },
    { role: 'customer', start: 20, text: '那行吧' },
    { role: 'agent', start: 25, text: '已经为您退回年费，感谢您的耐心。' },
    { role: 'customer', start: 30, text: '好的，钱退回来了，谢谢你，很满意' },
    { role: 'customer', start: 35, text: '' },
  ];

  it('follows each role from start to end', () => {
    const result = callEmotion([...call].reverse());
    const customer = result.customer!;
    expect(customer.segments).toBe(4);
    expect(customer.trajectory).toHaveLength(4);
    expect(['angry', 'negative']).toContain(customer.start.label);
    expect(customer.end.label).toBe('positive');
    expect(['angry', 'negative']).toContain(customer.trajectory[0]);
    expect(customer.trajectory[3]).toBe('positive');
    expect([3, 12]).toContain(customer.worst.start);
    expect(result.agent!.segments).toBe(3);
    expect(Object.keys(result).sort()).toEqual(['agent', 'customer']);
  });

  it('uses the single segment of a one-line role for start, end and worst', () => {
    const r = callEmotion([{ role: 'customer', start: 1, text: '谢谢，非常满意' }]).customer!;
    expect(r.start).toEqual(r.end);
    expect(r.worst.start).toBe(1);
  });
});

describe('evaluation plumbing', () => {
  it('hashes with FNV-1a (published test vectors)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('holds out about a fifth of the items, stably', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `wm-${i}`);
    const held = ids.filter((id) => isTestItem('waimai_10k', id)).length;
    expect(held / ids.length).toBeGreaterThan(0.17);
    expect(held / ids.length).toBeLessThan(0.23);
    expect(ids.map((id) => isTestItem('waimai_10k', id))).toEqual(ids.map((id) => isTestItem('waimai_10k', id)));
  });

  it('computes accuracy and macro-F1 by hand-checked example', () => {
    // pos: tp 2, fp 1, fn 0 → F1 0.8; neg: tp 1, fp 0, fn 1 → F1 2/3
    const m = classificationMetrics(['pos', 'pos', 'neg', 'neg'], ['pos', 'pos', 'pos', 'neg']);
    expect(m.accuracy).toBe(0.75);
    expect(m.macroF1).toBeCloseTo((0.8 + 2 / 3) / 2, 10);
  });

  it('lexicon baseline counts words and honours negation', () => {
    const b = LexiconBaseline.load();
    expect(b.label('我要投诉你们')).toBe('angry');
    expect(b.label('非常满意')).toBe('positive');
    expect(b.label('不满意')).toBe('negative');
    expect(b.label('今天周三')).toBe('neutral');
  });
});

describe('segment and call emotion in the NLP stage', () => {
  it('keeps short neutral replies neutral by rule, but not short outbursts', async () => {
    const { segmentEmotion } = await import('../../nlp/emotion/segment-emotion.ts');
    expect(segmentEmotion('没有了。')).toMatchObject({ label: 'neutral', score: 1, by: 'rule' });
    expect(segmentEmotion('对。')).toMatchObject({ label: 'neutral', by: 'rule' });
    expect(segmentEmotion('气死我了！').by).toBe('model');
    expect(['angry', 'negative']).toContain(segmentEmotion('你们这服务太差了，我要投诉！').label);
  });

  it('summarises a side of the call from its utterances that carry emotion', async () => {
    const { roleEmotion, segmentEmotion } = await import('../../nlp/emotion/segment-emotion.ts');
    const call = [
      { role: 'customer', start: 1, text: '你们这服务太差了，扣了我的钱也不说清楚，我要投诉！' },
      { role: 'agent', start: 5, text: '非常抱歉给您带来不好的体验。' },
      { role: 'customer', start: 9, text: '好吧，问题解决了，谢谢你，非常满意。' },
      { role: 'customer', start: 12, text: '没有了。' },
    ].map((s) => ({ ...s, emotion: segmentEmotion(s.text) }));
    const r = roleEmotion(call, 'customer')!;
    expect(['angry', 'negative']).toContain(r.start);
    expect(r.end).toBe('positive');
    expect(r.worst.segmentStart).toBe(1);
    expect(roleEmotion(call, 'unknown')).toBeNull();
  });
});
