import { z } from 'zod';

export const piiTypes = [
  'card_number',
  'id_number',
  'phone_number',
  'landline',
  'cvv',
  'verification_code',
  'account_number',
  'email',
  'person_name',
  'address',
] as const;
export type PiiType = (typeof piiTypes)[number];

export const piiSegmentSchema = z.object({ role: z.string(), text: z.string() });
export const piiSegmentsSchema = z.array(piiSegmentSchema);
export type PiiSegment = z.infer<typeof piiSegmentSchema>;

/** One contiguous piece of a span inside one segment; `end` is exclusive (UTF-16 offsets). */
export type PiiPart = { segmentIndex: number; start: number; end: number };

/**
 * A detected PII mention. `segmentIndex/start/end` locate its first part; `parts` lists every
 * part (more than one when a number is read across consecutive segments of the same speaker).
 * `value` is normalised: digits (ID may end in X) for numbers, lower-case for e-mail, the
 * characters without white space for names and addresses.
 */
export type PiiSpan = PiiPart & { type: PiiType; value: string; parts: PiiPart[] };

export const maskTag: Record<Exclude<PiiType, 'card_number'>, string> = {
  id_number: '【身份证号】',
  phone_number: '【手机号】',
  landline: '【座机】',
  cvv: '【安全码】',
  verification_code: '【验证码】',
  account_number: '【账号】',
  email: '【邮箱】',
  person_name: '【姓名】',
  address: '【地址】',
};

export function tagFor(span: Pick<PiiSpan, 'type' | 'value'>): string {
  return span.type === 'card_number' ? `【卡号尾号${span.value.slice(-4)}】` : maskTag[span.type];
}
