/**
 * Minimal PII masking for numbers written as Arabic digits: long digit runs (phone, card, ID,
 * account) are replaced before anything is indexed or shown. Spoken Chinese numerals, names
 * and addresses are handled by the full PII stage (see docs/roadmap in the README).
 */
const DIGIT_RUN = /\d(?:[\s-]?\d){6,}[\dXx]?/g;

function label(digits: string): string {
  if (/^1[3-9]\d{9}$/.test(digits)) return '手机号';
  if (/^\d{17}[\dXx]$/.test(digits)) return '身份证号';
  if (/^\d{16,19}$/.test(digits)) return '卡号';
  return '号码';
}

export function maskDigits(text: string): { masked: string; found: string[] } {
  const found: string[] = [];
  const masked = text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/[\s-]/g, '');
    const kind = label(digits);
    found.push(kind);
    return kind === '卡号' ? `【卡号尾号${digits.slice(-4)}】` : `【${kind}】`;
  });
  return { masked, found };
}
