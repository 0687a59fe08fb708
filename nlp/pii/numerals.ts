/**
 * Reads digit-by-digit numbers in transcript text: Arabic and full-width digits and spoken Chinese
 * numerals (幺/一 … 九, 两, 零/〇). Positional numerals (十百千万) are not digits, so amounts,
 * dates and counts never form long runs.
 */
const DIGIT_OF: Record<string, string> = {
  零: '0', '〇': '0', 幺: '1', 一: '1', 二: '2', 两: '2', 三: '3', 四: '4',
  五: '5', 六: '6', 七: '7', 八: '8', 九: '9',
};

export function digitOf(ch: string): string | undefined {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return ch;
  if (c >= 0xff10 && c <= 0xff19) return String.fromCharCode(c - 0xff10 + 48);
  return DIGIT_OF[ch];
}

/** A check character: only counts right after a digit (last char of an ID). */
const CHECK_X = new Set(['X', 'x', 'Ｘ', 'ｘ', '叉']);
/** Characters that may separate digit groups of one number (a pause, a comma, a hyphen…). */
const SEPARATOR = new Set([' ', '\u3000', '\t', ',', '，', '、', '-', '－', '—', '–', '…', '.', '·', '/', '嗯', '呃', '额']);
const MAX_SEPARATOR_RUN = 4;
const HAN = /[\u3400-\u9fff]/;

/** Digits read without a break; `end` exclusive. */
export type DigitGroup = { segmentIndex: number; start: number; end: number; digits: string };

/** Runs of digit groups inside one text: groups of one run are separated by separators only. */
export function digitRuns(text: string, segmentIndex: number): DigitGroup[][] {
  const runs: DigitGroup[][] = [];
  let run: DigitGroup[] = [];
  let group: DigitGroup | undefined;
  const closeGroup = () => {
    if (group) run.push(group);
    group = undefined;
  };
  const closeRun = () => {
    closeGroup();
    if (run.length) runs.push(run);
    run = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    let d: string | undefined = digitOf(ch);
    // 两 opening a group and glued to a following word is a quantity (…203.两天), not a digit.
    const next = text[i + 1] ?? '';
    if (ch === '两' && !group && HAN.test(next) && digitOf(next) === undefined && !CHECK_X.has(next)) d = undefined;
    if (d !== undefined) {
      if (group && group.digits.endsWith('X')) closeRun();
      if (!group) {
        group = { segmentIndex, start: i, end: i + 1, digits: d };
      } else {
        group.end = i + 1;
        group.digits += d;
      }
    } else if (group && CHECK_X.has(ch) && !group.digits.endsWith('X')) {
      group.end = i + 1;
      group.digits += 'X';
    } else if (!group && run.length && CHECK_X.has(ch) && !/[A-Za-z0-9]/.test(text[i + 1] ?? '')) {
      // "…六七二八-X": the check character read after a pause.
      group = { segmentIndex, start: i, end: i + 1, digits: 'X' };
    } else if (SEPARATOR.has(ch) && (group || run.length)) {
      closeGroup();
    } else {
      closeRun();
    }
  }
  closeRun();
  // A separator run of "嗯嗯嗯嗯嗯" is not a pause inside a number: split runs on long gaps.
  return runs.flatMap((r) => splitOnLongGaps(r, text));
}

function splitOnLongGaps(run: DigitGroup[], text: string): DigitGroup[][] {
  const out: DigitGroup[][] = [[run[0]!]];
  for (let i = 1; i < run.length; i++) {
    const gap = text.slice(run[i - 1]!.end, run[i]!.start);
    if (gap.length > MAX_SEPARATOR_RUN) out.push([run[i]!]);
    else out[out.length - 1]!.push(run[i]!);
  }
  return out;
}
