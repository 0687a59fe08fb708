// Splits text into runs for rendering highlights without {@html}.
import type { Hit } from './api.ts';

export type Piece = { text: string; mark: boolean };

/** Splits `text` so that every case-insensitive occurrence of a whitespace-separated query term is marked. */
export function highlight(text: string, queryText: string): Piece[] {
  const terms = [...new Set(queryText.split(/\s+/).filter(Boolean))].sort((a, b) => b.length - a.length);
  if (!terms.length) return [{ text, mark: false }];
  const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(${escaped.join('|')})`, 'gi');
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > last) pieces.push({ text: text.slice(last, i), mark: false });
    pieces.push({ text: m[0], mark: true });
    last = i + m[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), mark: false });
  return pieces;
}

export type EvidenceKind = 'fail' | 'pass';
export type Span = { start: number; end: number };
export type HitPart = { text: string; hit: Hit | null };
/** A run of text that is (or is not) an evidence quote; inside, the parts that are lexicon hits. */
export type EvidenceRun = { evidence: EvidenceKind | null; parts: HitPart[] };

/** Where each quote occurs in `text` (first occurrence; quotes not found are skipped). */
export function locateQuotes(text: string, quotes: string[]): Span[] {
  const spans: Span[] = [];
  for (const q of quotes) {
    const quote = q.trim();
    if (!quote) continue;
    const i = text.indexOf(quote);
    if (i >= 0) spans.push({ start: i, end: i + quote.length });
  }
  return spans;
}

/**
 * Annotates a segment's text with evidence quotes (failed beats passed where they overlap) and
 * lexicon hits (character offsets; hits outside the text are ignored).
 */
export function annotateSegment(text: string, hits: Hit[], failSpans: Span[], passSpans: Span[]): EvidenceRun[] {
  const n = text.length;
  const ev: (EvidenceKind | null)[] = new Array(n).fill(null);
  const hitAt: (Hit | null)[] = new Array(n).fill(null);
  for (const s of passSpans) for (let i = s.start; i < s.end && i < n; i++) ev[i] = 'pass';
  for (const s of failSpans) for (let i = s.start; i < s.end && i < n; i++) ev[i] = 'fail';
  for (const h of hits) {
    if (h.start < 0 || h.end > n || h.end <= h.start) continue;
    for (let i = h.start; i < h.end; i++) hitAt[i] ??= h;
  }

  const runs: EvidenceRun[] = [];
  for (let i = 0; i < n; i++) {
    let run = runs.at(-1);
    if (!run || run.evidence !== ev[i]) {
      run = { evidence: ev[i] ?? null, parts: [] };
      runs.push(run);
    }
    const part = run.parts.at(-1);
    const hit = hitAt[i] ?? null;
    if (part && part.hit === hit) part.text += text[i];
    else run.parts.push({ text: text[i] ?? '', hit });
  }
  return runs;
}
