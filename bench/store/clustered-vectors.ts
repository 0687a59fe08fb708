import { gaussian, mulberry32 } from '../../core/prng.ts';

/**
 * Random *clustered* unit vectors for the kNN benchmarks — not real embeddings: 500 topics (random
 * unit directions), 40 "phrasings" around each (cosine ≈ 0.8 with the topic), and each vector a
 * phrasing plus noise (cosine ≈ 0.9). Queries: `utterance` drawn like the data (its neighbours
 * exist), `topic` a point near a topic between its phrasings (many near-ties), `random` a random
 * direction (neighbours scattered over many lists: IVF's worst case).
 */
export function clusteredVectors(dims: number, seed = 42, topicCount = 500, phrasingsPerTopic = 40) {
  const rnd = mulberry32(seed);
  const normal = gaussian(rnd);
  const unit = (v: number[]) => {
    const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / n);
  };
  /** A unit vector at about cosine `cos` from `v` (isotropic Gaussian noise of the matching size). */
  const around = (v: number[], cos: number) => {
    const sigma = Math.sqrt((1 / cos ** 2 - 1) / dims);
    return unit(v.map((x) => x + sigma * normal()));
  };
  const topics = Array.from({ length: topicCount }, () => unit(Array.from({ length: dims }, () => normal())));
  const phrasings = topics.flatMap((t) => Array.from({ length: phrasingsPerTopic }, () => around(t, 0.8)));
  const clustered = () => around(phrasings[Math.floor(rnd() * phrasings.length)]!, 0.9);
  return {
    clustered,
    queries: {
      utterance: clustered,
      topic: () => around(topics[Math.floor(rnd() * topicCount)]!, 0.8),
      random: () => unit(Array.from({ length: dims }, () => normal())),
    } as Record<string, (() => number[]) | undefined>,
  };
}
