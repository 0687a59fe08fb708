import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../core/config.ts';
import { Lexicon } from '../../nlp/lexicon.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';

const forbidden = Lexicon.load(path.join(repoRoot, 'nlp', 'lexicons', 'forbidden-phrases.yaml'));

describe('forbidden-phrase lexicon', () => {
  it.each([
    ['您先听我说，系统就是这么扣的，我也没办法。', '我也没办法', '我也没办法'],
    ['我刚才说了要提前十五天预约，你听不懂吗？', '你听不懂吗', '你听不懂吗'],
    ['这个嘛，我也 没有，办法', '我也没办法', '我也 没有，办法'],
    ['这不归我们管的', '这不归我管', '这不归我们管'],
  ])('finds the phrase in %s', (text, term, quote) => {
    const hits = forbidden.match(text);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.term).toBe(term);
    expect(text.slice(hits[0]!.start, hits[0]!.end)).toBe(quote);
  });

  it.each(['请您五天内带身份证到网点办理补卡。', '不知道您方便吗？', '好的，感谢您的来电。'])('stays silent on %s', (text) => {
    expect(forbidden.match(text)).toEqual([]);
  });

  it('reports every occurrence, one pass', () => {
    const hits = forbidden.match('不知道。我也没办法，真不知道');
    expect(hits.map((h) => h.term)).toEqual(['不知道', '我也没办法', '不知道']);
  });

  it('applies only to the roles it names', () => {
    expect([...forbidden.roles]).toEqual(['agent']);
  });
});

describe('jieba with the banking dictionary', () => {
  it('keeps banking words whole', () => {
    const words = tokenize('我想问信用卡年费能不能减免，还有分期付款的手续费，不行就向银保监会投诉');
    for (const w of ['信用卡年费', '分期付款', '手续费', '银保监会', '投诉']) expect(words).toContain(w);
    expect(words).not.toContain('，');
  });

  it('adds sub-words for search', () => {
    const words = searchTokens('信用卡年费');
    expect(words).toEqual(expect.arrayContaining(['信用卡', '年费', '信用卡年费']));
  });
});


describe('wealth-product lexicons', () => {
  const promise = Lexicon.load(path.join(repoRoot, 'nlp', 'lexicons', 'prohibited-promises.yaml'));
  const disclosure = Lexicon.load(path.join(repoRoot, 'nlp', 'lexicons', 'risk-disclosure.yaml'));

  it.each([
    ['这款产品保本的，您放心', ['保本']],
    ['买这个稳赚不赔，保证收益', ['稳赚', '保收益']],
    ['这款理财不保本，投资需谨慎', []],
    ['我们不能保证收益', []],
    ['这个基本是零风险', ['零风险']],
  ])('promises in %s → %j', (text, terms) => {
    expect(promise.match(text).map((h) => h.term)).toEqual(terms);
  });

  it('recognises the disclosure that the promise lexicon must ignore', () => {
    expect(disclosure.match('这款理财不保本，投资需谨慎').map((h) => h.term)).toEqual(['不保本', '产品有风险']);
  });
});

describe('required-phrase lexicon', () => {
  const required = Lexicon.load(path.join(repoRoot, 'nlp', 'lexicons', 'required-phrases.yaml'));
  it.each([
    ['好的，请您稍等，我这边帮您查询一下。', '等待提示'],
    ['感谢您的耐心等待，您这张卡需要……', '等待致谢'],
    ['您先别着急，我这边马上帮您处理。', '安抚'],
    ['请问还有什么可以帮您的吗？', '结束语'],
  ])('%s → %s', (text, category) => {
    expect(required.match(text).map((h) => h.category)).toContain(category);
  });
});

describe('stopwords', () => {
  it('drops fillers and function words but keeps banking words', async () => {
    const { isStopword } = await import('../../nlp/stopwords.ts');
    const words = tokenize('嗯，那个，我想问一下我的信用卡年费为什么还是没有退款啊');
    expect(words.filter((w) => !isStopword(w))).toEqual(['问', '信用卡年费', '退款']);
  });
});

describe('every shipped lexicon term and synonym', () => {
  // The YAML files are the specification: each surface form must be found, as its canonical term
  // and category, in a sentence of the lexicon's own role — unless an exclusion in the file says otherwise.
  const dir = path.join(repoRoot, 'nlp', 'lexicons');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  const cases = files.flatMap((f) => {
    const spec = parse(readFileSync(path.join(dir, f), 'utf8')) as {
      terms: Array<{ term: string | number; category?: string; synonyms?: string[] }>;
    };
    return spec.terms.flatMap((t) => [String(t.term), ...(t.synonyms ?? [])].map((form) => [f, form, String(t.term), t.category] as const));
  });

  it.each(cases)('%s: “%s” → %s (%s)', (file, form, term, category) => {
    const lexicon = Lexicon.load(path.join(dir, file));
    const hits = lexicon.match(`好的，${form}。`);
    expect(hits.map((h) => [h.term, h.category])).toContainEqual([term, category]);
  });

  it('covers all seven lexicons', () => {
    expect(new Set(cases.map((c) => c[0])).size).toBe(7);
  });
});
