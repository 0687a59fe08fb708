/**
 * PII detection and masking for bank call transcripts: card (Luhn), resident ID (GB 11643),
 * mobile, landline, announced CVV / verification codes / account numbers, e-mail, and names and
 * addresses the speaker announces. Numbers may be digits or spoken numerals, split by pauses and
 * across the same speaker's consecutive segments.
 */
import { CallScopeError } from '../../core/errors.ts';
import { announcedTextSpans } from './announced-text.ts';
import { numberSpans } from './number-spans.ts';
import { piiSegmentsSchema, tagFor, type PiiPart, type PiiSegment, type PiiSpan } from './types.ts';

export { piiTypes, type PiiPart, type PiiSegment, type PiiSpan, type PiiType } from './types.ts';

function parseSegments(segments: unknown): PiiSegment[] {
  const parsed = piiSegmentsSchema.safeParse(segments);
  if (!parsed.success) throw new CallScopeError('BAD_REQUEST', `PII input must be [{ role, text }]: ${parsed.error.message}`);
  return parsed.data;
}

const overlaps = (a: PiiPart, b: PiiPart) => a.segmentIndex === b.segmentIndex && a.start < b.end && b.start < a.end;

/** Every PII span, ordered by position; numbers win over names/addresses when they overlap. */
export function detectPii(segments: Array<{ role: string; text: string }>): PiiSpan[] {
  const segs = parseSegments(segments);
  const kept: PiiSpan[] = [];
  for (const span of [...numberSpans(segs), ...announcedTextSpans(segs)]) {
    if (!kept.some((k) => k.parts.some((p) => span.parts.some((q) => overlaps(p, q))))) kept.push(span);
  }
  return kept.sort((a, b) => a.segmentIndex - b.segmentIndex || a.start - b.start);
}

/** Where a tag stands in the masked text. */
export type MaskedSpan = { type: PiiSpan['type']; start: number; end: number };

/**
 * Each segment's text with every PII part replaced by its tag (【卡号尾号1234】, 【手机号】…), the
 * spans found, and where each tag stands in the masked text.
 */
export function maskSegments(
  segments: Array<{ role: string; text: string }>,
): Array<{ textMasked: string; spans: PiiSpan[]; masks: MaskedSpan[] }> {
  const spans = detectPii(segments);
  return segments.map((seg, i) => {
    const mine = spans.filter((s) => s.parts.some((p) => p.segmentIndex === i));
    const parts = mine
      .flatMap((s) => s.parts.filter((p) => p.segmentIndex === i).map((p) => ({ p, tag: tagFor(s), type: s.type })))
      .sort((a, b) => a.p.start - b.p.start);
    let text = '';
    let from = 0;
    const masks: MaskedSpan[] = [];
    for (const { p, tag, type } of parts) {
      text += seg.text.slice(from, p.start);
      masks.push({ type, start: text.length, end: text.length + tag.length });
      text += tag;
      from = p.end;
    }
    text += seg.text.slice(from);
    return { textMasked: text, spans: mine, masks };
  });
}
