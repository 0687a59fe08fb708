import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterDb } from '../../analytics/cluster/cluster-db.ts';
import { fitClusters, joinClusters, OTHER, reclusterStable, representatives } from '../../analytics/cluster/clusterer.ts';
import { clusterTerms } from '../../analytics/cluster/ctfidf.ts';
import { matchIdentities } from '../../analytics/cluster/identity.ts';
import { adjustedRandIndex, nmi, vMeasure } from '../../nlp/embeddings/cluster-metrics.ts';
import { topicTexts } from '../cluster-fixtures.ts';
import { SHARED, tempDir } from '../helpers.ts';

const tmp = tempDir('callscope-cluster-');
afterAll(() => tmp.cleanup());

describe('clustering metrics: the examples of the scikit-learn documentation', () => {
  // sklearn.metrics.v_measure_score / homogeneity / completeness / adjusted_rand_score docstrings.
  it.each([
    { truth: [0, 0, 1, 1], pred: [0, 0, 1, 2], v: 0.8, h: 1, c: 2 / 3, ari: 4 / 7 },
    { truth: [0, 0, 1, 2], pred: [0, 0, 1, 1], v: 0.8, h: 2 / 3, c: 1, ari: 4 / 7 },
    { truth: [0, 0, 1, 1], pred: [1, 1, 0, 0], v: 1, h: 1, c: 1, ari: 1 },
    { truth: [0, 0, 0, 0], pred: [0, 1, 2, 3], v: 0, h: 1, c: 0, ari: 0 },
  ])('$truth vs $pred', ({ truth, pred, v, h, c, ari }) => {
    const m = vMeasure(truth, pred);
    expect(m.vMeasure).toBeCloseTo(v, 10);
    expect(m.homogeneity).toBeCloseTo(h, 10);
    expect(m.completeness).toBeCloseTo(c, 10);
    expect(nmi(truth, pred)).toBeCloseTo(v, 10);
    expect(adjustedRandIndex(truth, pred)).toBeCloseTo(ari, 10);
  });
});

describe('fitting clusters', () => {
  const texts = topicTexts(40, 1);
  const truth = texts.map((t) => t.label);

  it('recovers four generated topics exactly, with k given', () => {
    const r = fitClusters(texts, { k: 4, seed: 3 });
    expect(r.model.clusters).toHaveLength(4);
    expect(vMeasure(truth, texts.map((t) => r.assignments.get(t.id)!)).vMeasure).toBe(1);
    expect(r.model.clusters.map((c) => c.size)).toEqual([40, 40, 40, 40]);
  });

  it('chooses k = 4 itself (silhouette over the merge levels)', () => {
    const r = fitClusters(texts, { seed: 5 });
    expect(r.model.params.chosenK).toBe(4);
    expect(vMeasure(truth, texts.map((t) => r.assignments.get(t.id)!)).vMeasure).toBe(1);
  });

  it('labels each cluster with words of its own topic only, and quotes its members', () => {
    const r = fitClusters(texts, { k: 4, seed: 3 });
    for (const c of r.model.clusters) {
      const members = texts.filter((t) => r.assignments.get(t.id) === c.id);
      const topic = members[0]!.label;
      expect(c.terms.length).toBeGreaterThanOrEqual(3);
      for (const term of c.terms) expect(members.every((m) => m.label === topic) && texts.filter((t) => t.text.includes(term)).every((t) => t.label === topic)).toBe(true);
      const quotes = representatives(r.model, c.id, members, 3);
      expect(quotes).toHaveLength(3);
      expect(quotes.every((q) => q.id.startsWith(topic))).toBe(true);
    }
  });

  it('is deterministic for a seed', () => {
    const a = fitClusters(texts, { k: 4, seed: 9 });
    const b = fitClusters(texts, { k: 4, seed: 9 });
    expect([...a.assignments]).toEqual([...b.assignments]);
  });

  it('puts texts without any known feature, and clusters below min-size, in other', () => {
    const r = fitClusters([...texts, { id: 'empty', text: '嗯嗯，好的。' }, { id: 'lone', text: '保险箱租用' }], { k: 4, seed: 3, minSize: 2 });
    expect(r.assignments.get('empty')).toBe(OTHER);
    expect(r.assignments.get('lone')).not.toBe(undefined);
  });

  it('reaches the measured floor on a real labelled sample (1,000 THUCNews titles, k = 10)', () => {
    // Measured on this sample (first 1,000 lines) at commit time: V 0.371–0.419 over seeds 1–4 (all 4,000
    // titles: 0.51–0.54, short texts gain from more co-occurrence); the assertion keeps a margin.
    const rows = readFileSync(path.join(SHARED, 'data', 'thucnews_titles.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, 1000)
      .map((l) => JSON.parse(l) as { id: string; text: string; label: string });
    const r = fitClusters(rows, { k: 10, seed: 1 });
    const v = vMeasure(rows.map((x) => x.label), rows.map((x) => r.assignments.get(x.id)!)).vMeasure;
    expect(v).toBeGreaterThanOrEqual(0.33);
  }, 60_000);
});

describe('c-TF-IDF', () => {
  it('ranks a word shared by every cluster below the words only one cluster says (hand computation)', () => {
    // c0 = {信用卡×2, 年费×2}, c1 = {信用卡×2, 贷款×2}: A = 4, f(信用卡) = 4, f(年费) = 2:
    // W(年费, c0) = 2/4·ln(1 + 4/2) = 0.549 > W(信用卡, c0) = 2/4·ln(1 + 4/4) = 0.347.
    const terms = clusterTerms([
      [['信用卡', '年费'], ['信用卡', '年费']],
      [['信用卡', '贷款'], ['贷款', '信用卡']],
    ]);
    expect(terms).toEqual([
      ['年费', '信用卡'],
      ['贷款', '信用卡'],
    ]);
  });
});

describe('incremental join', () => {
  it('new texts join the cluster of their topic; unrelated ones go to other; sizes follow', () => {
    const base = fitClusters(topicTexts(30, 1), { k: 4, seed: 3 });
    const model = structuredClone(base.model);
    const idOfTopic = (topic: string) => base.assignments.get(`${topic}-1-0`)!;
    const later = topicTexts(10, 2);
    const joined = joinClusters(model, [...later, { id: 'unrelated', text: 'the weather is nice' }, { id: 'stranger', text: '天气晴朗适合散步' }]);
    for (const t of later) expect(joined.get(t.id)).toBe(idOfTopic(t.label));
    expect(joined.get('unrelated')).toBe(OTHER);
    expect(joined.get('stranger')).toBe(OTHER);
    expect(model.clusters.map((c) => c.size)).toEqual([40, 40, 40, 40]);
    expect(model.docs).toBe(base.model.docs + 40);
  });
});

describe('re-cluster identity', () => {
  it('keeps every id when the content is the same (another seed), and gives a new topic a new id', () => {
    const texts = topicTexts(30, 1);
    const first = fitClusters(texts, { k: 4, seed: 3 });
    const again = reclusterStable(first, texts, { k: 4, seed: 11 });
    expect(again.stability).toBe(1);
    for (const t of texts) expect(again.assignments.get(t.id)).toBe(first.assignments.get(t.id));

    const grown = [...texts.filter((t) => t.label !== 'wealth'), ...topicTexts(30, 1, ['wealth'])];
    const three = fitClusters(texts.filter((t) => t.label !== 'wealth'), { k: 3, seed: 3 });
    const four = reclusterStable(three, grown, { k: 4, seed: 3 });
    expect(four.stability).toBe(1);
    const wealthId = four.assignments.get('wealth-1-0')!;
    expect(three.model.clusters.map((c) => c.id)).not.toContain(wealthId);
    expect(wealthId).toBe('c4');
  });

  it('greedy matching on overlap, then centroid, then a fresh id (hand table)', () => {
    const old = new Map([['a', 'c1'], ['b', 'c1'], ['c', 'c2'], ['d', 'c2'], ['e', 'c3']]);
    // New cluster 0 holds a,b,c (2 from c1); 1 holds d (c2); 2 holds nothing old; 3 nothing old.
    const fresh = new Map([['a', 0], ['b', 0], ['c', 0], ['d', 1], ['x', 2], ['y', 3]]);
    let next = 4;
    const r = matchIdentities({
      old,
      fresh,
      newClusters: 4,
      oldIds: ['c1', 'c2', 'c3'],
      centroidSimilarity: (z, o) => (z === 2 && o === 'c3' ? 0.9 : 0.1),
      nextId: () => `c${next++}`,
    });
    expect(r.ids).toEqual(['c1', 'c2', 'c3', 'c4']);
    // a, b, d kept their id; c moved (c2 → c1): 3 of the 4 shared texts.
    expect(r.stability).toBeCloseTo(3 / 4, 12);
  });
});

describe('persistence', () => {
  it('round-trips a model and its assignments; adds joined ones; a full save replaces them', () => {
    const db = new ClusterDb(path.join(tmp.dir, 'c', 'clusters.sqlite'));
    const texts = topicTexts(10, 1);
    const r = fitClusters(texts, { k: 4, seed: 3 });
    db.save('t', r.model, r.assignments, true);
    expect(db.model('t')).toEqual(r.model);
    expect(db.assignments('t')).toEqual(r.assignments);
    db.save('t', r.model, new Map([['new', 'c1']]), false);
    expect(db.lookup('t', ['new', 'card-1-0', 'nope'])).toEqual(new Map([['new', 'c1'], ['card-1-0', r.assignments.get('card-1-0')!]]));
    db.save('t', r.model, new Map([['only', 'c2']]), true);
    expect(db.assignments('t')).toEqual(new Map([['only', 'c2']]));
    expect(db.model('absent')).toBeNull();
    db.close();
  });
});

describe('consensus of restarts', () => {
  it('recovers the partition most runs agree on, whatever their cluster numbering', async () => {
    const { consensus } = await import('../../analytics/cluster/consensus.ts');
    const truth = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    const runs = [
      Int32Array.from([5, 5, 5, 5, 3, 3, 3, 3, 1, 1, 1, 1]),
      Int32Array.from([0, 0, 0, 2, 1, 1, 1, 1, 2, 2, 2, 2]), // text 3 strays
      Int32Array.from([2, 2, 2, 2, 0, 0, 0, 1, 1, 1, 1, 1]), // text 7 strays
    ];
    expect(vMeasure(truth, Array.from(consensus(runs, 3, 1))).vMeasure).toBeCloseTo(1, 12);
  });
});
