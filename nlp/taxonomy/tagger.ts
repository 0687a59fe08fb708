import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import { Role } from '../../core/schemas.ts';
import { Lexicon } from '../lexicon.ts';

const Leaf = z.object({
  id: z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'leaf ids are category.sub_category'),
  name: z.string().min(1),
  complaint: z.boolean(),
  roles: z.array(Role).default(['customer']),
  keywords: z.array(z.coerce.string().min(1)).min(1),
  exemplars: z.array(z.string().min(1)).default([]),
});
const TaxonomyFile = z.object({
  id: z.string(),
  version: z.coerce.string(),
  nodes: z.array(z.object({ name: z.string().min(1), children: z.array(Leaf).min(1) })).min(1),
});

export type TagSegment = { id: string; role: Role; textMasked: string };
export type Tag = {
  id: string;
  /** 类别/子类, as shown to users. */
  path: string;
  complaint: boolean;
  confidence: number;
  evidence: Array<{ segmentId: string; term: string }>;
  via: 'keywords' | 'exemplar';
};
/** Cosine similarity of each text to each exemplar; supplied by the best available text embedder. */
export type Similarity = (texts: string[], exemplars: string[]) => Promise<number[][]>;

export const DEFAULT_TAXONOMY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'complaint-taxonomy.yaml');
/**
 * An exemplar counts when a customer sentence is at least this similar to it. With the LSA model
 * trained here unrelated sentences reach 0.65 (嗯，是我，什么事？ vs a fee complaint), so the bar is
 * high, and an exemplar-only tag is worth less than any keyword tag (confidence = 0.55 × similarity < 0.6).
 */
export const EXEMPLAR_THRESHOLD = 0.8;
const EXEMPLAR_WEIGHT = 0.55;

type Node = z.infer<typeof Leaf> & { path: string };

export class ComplaintTagger {
  private constructor(
    readonly id: string,
    readonly version: string,
    private readonly nodes: Node[],
    private readonly matchers: Map<string, Lexicon>,
  ) {}

  static load(file = DEFAULT_TAXONOMY): ComplaintTagger {
    let raw: unknown;
    try {
      raw = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CallScopeError('CONFIG_INVALID', `taxonomy ${file} cannot be read: ${(err as Error).message}`);
    }
    const parsed = TaxonomyFile.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new CallScopeError('CONFIG_INVALID', `taxonomy ${file}: ${i.path.join('.')}: ${i.message}`);
    }
    const nodes = parsed.data.nodes.flatMap((cat) =>
      cat.children.map((leaf) => ({ ...leaf, path: cat.name === leaf.name ? cat.name : `${cat.name}/${leaf.name}` })),
    );
    // One automaton per role for all leaves (a hit's category is its leaf id): one pass per segment.
    const byRole = new Map<string, Lexicon>();
    for (const role of new Set(nodes.flatMap((n) => n.roles))) {
      const terms = nodes
        .filter((n) => n.roles.includes(role))
        .flatMap((n) => n.keywords.map((k) => ({ term: k, category: n.id, synonyms: [], notFollowedBy: [], notPrecededBy: [] })));
      byRole.set(role, new Lexicon({ id: `${parsed.data.id}:${role}`, version: parsed.data.version, lexicon: 'taxonomy', roles: [role], terms }));
    }
    return new ComplaintTagger(parsed.data.id, parsed.data.version, nodes, byRole);
  }

  /**
   * Tags of one call, most confident first; the first is the call's category, and the call is a
   * complaint when that category is. Keywords give 0.6 plus 0.1 per further hit (max 0.95);
   * exemplars 0.55 × similarity, below any keyword tag.
   */
  async tag(segments: TagSegment[], similarity?: Similarity): Promise<Tag[]> {
    const tags: Tag[] = [];
    const customer = segments.filter((s) => s.role === 'customer' && s.textMasked.trim());
    const sims = similarity && customer.length
      ? await Promise.all(this.nodes.map((n) => (n.exemplars.length ? similarity(customer.map((s) => s.textMasked), n.exemplars) : Promise.resolve([]))))
      : [];
    const hitsByLeaf = new Map<string, Array<{ segmentId: string; term: string }>>();
    for (const s of segments) {
      for (const h of this.matchers.get(s.role)?.match(s.textMasked) ?? []) {
        const list = hitsByLeaf.get(h.category!) ?? [];
        list.push({ segmentId: s.id, term: h.term });
        hitsByLeaf.set(h.category!, list);
      }
    }
    this.nodes.forEach((node, i) => {
      const evidence = hitsByLeaf.get(node.id) ?? [];
      if (evidence.length > 0) {
        tags.push({ id: node.id, path: node.path, complaint: node.complaint, confidence: Math.min(0.95, 0.5 + 0.1 * evidence.length), evidence, via: 'keywords' });
        return;
      }
      const rows = sims[i] ?? [];
      let best = { score: 0, segment: -1 };
      rows.forEach((row, s) => {
        const m = Math.max(...row);
        if (m > best.score) best = { score: m, segment: s };
      });
      if (best.score >= EXEMPLAR_THRESHOLD) {
        tags.push({ id: node.id, path: node.path, complaint: node.complaint, confidence: Math.round(best.score * EXEMPLAR_WEIGHT * 100) / 100, evidence: [{ segmentId: customer[best.segment]!.id, term: '' }], via: 'exemplar' });
      }
    });
    // Equal confidence: the reason for a call is stated early, so the tag with the earliest evidence wins.
    const order = new Map(segments.map((s, i) => [s.id, i]));
    const first = (t: Tag) => Math.min(...t.evidence.map((e) => order.get(e.segmentId) ?? Infinity));
    return tags.sort((a, b) => b.confidence - a.confidence || first(a) - first(b));
  }
}
