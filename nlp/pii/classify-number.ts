import { luhnValid, residentIdValid } from './checksums.ts';
import type { PiiType } from './types.ts';

/** What the speaker said the number is, read from the words right before it. */
export type NumberCue = 'card' | 'id' | 'phone' | 'landline' | 'cvv' | 'verification' | 'account' | null;

// Between the cue and the number only a copula or a pause may stand (卡号是…, 验证码：…).
const FILLER = '[\\s　是为：:，,、号码的就呢嗯啊呃额也]{0,5}$';
const CUES: Array<[Exclude<NumberCue, null>, RegExp]> = [
  ['cvv', new RegExp(`(?:安全码|CVV2?|CVN2?|卡背面?后三位)${FILLER}`, 'i')],
  ['verification', new RegExp(`(?:验证码|动态码|动态密码|短信码|校验码)${FILLER}`)],
  ['id', new RegExp(`(?:身份证|证件)${FILLER}`)],
  ['landline', new RegExp(`(?:座机|固话|固定电话|办公电话|单位电话|家里电话)${FILLER}`)],
  ['phone', new RegExp(`(?:手机|电话|联系方式)${FILLER}`)],
  ['account', new RegExp(`(?:账号|帐号|账户|帐户|户号)${FILLER}`)],
  ['card', new RegExp(`(?:卡号|卡的号)${FILLER}`)],
];

export function cueBefore(textBefore: string): NumberCue {
  const window = textBefore.slice(-16);
  for (const [cue, re] of CUES) if (re.test(window)) return cue;
  return null;
}

const PHONE = /^1[3-9]\d{9}$/;
const PHONE_86 = /^861[3-9]\d{9}$/;
// 010/02x + 8 digits, or a 4-digit area code + 7–8 digits.
const LANDLINE = /^(?:010|02\d)[1-9]\d{7}$|^0[3-9]\d{2}[1-9]\d{6,7}$/;

/**
 * The PII type of a digit string, or null. Self-validating numbers (Luhn card, GB 11643 ID,
 * mobile, landline with area code) need no cue; short codes and account numbers only count
 * when announced. A Luhn-valid number announced as 账号 is a card number (debit-card accounts
 * are card numbers); an announced number failing Luhn is an account number.
 */
export function classifyDigits(digits: string, cue: NumberCue): { type: PiiType; value: string } | null {
  const n = digits.length;
  if (cue === 'cvv' && /^\d{3,4}$/.test(digits)) return { type: 'cvv', value: digits };
  if (cue === 'verification' && /^\d{4,8}$/.test(digits)) return { type: 'verification_code', value: digits };
  // Issuer prefixes: 2/5 Mastercard, 3 Amex/JCB, 4 Visa, 6 UnionPay, 9 old domestic cards.
  const card = n >= 16 && n <= 19 && /^[2-69]/.test(digits) && luhnValid(digits);
  if (n === 18 && residentIdValid(digits) && !(card && (cue === 'card' || cue === 'account'))) {
    return { type: 'id_number', value: digits };
  }
  if (card) return { type: 'card_number', value: digits };
  if (PHONE.test(digits)) return { type: 'phone_number', value: digits };
  if (PHONE_86.test(digits) && cue !== 'account' && cue !== 'card') return { type: 'phone_number', value: digits.slice(2) };
  if (LANDLINE.test(digits)) return { type: 'landline', value: digits };
  if (cue === 'landline' && /^[2-9]\d{6,7}$/.test(digits)) return { type: 'landline', value: digits };
  if ((cue === 'account' || cue === 'card') && /^\d{10,30}$/.test(digits)) return { type: 'account_number', value: digits };
  return null;
}
