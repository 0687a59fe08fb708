import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-file.ts';
import path from 'node:path';
import { CallScopeError, isCallScopeError, messageOf } from '../core/errors.ts';
import { parseScorecard, type Scorecard, scorecardFiles } from './scorecard.ts';

/**
 * Published scorecards: the YAML files in CALLSCOPE_SCORECARDS grade every call. A copy of each
 * file that last parsed cleanly is kept under $CALLSCOPE_DATA/scorecards/last-good/, and every
 * version ever used under $CALLSCOPE_DATA/scorecards/archive/, so that:
 *  - a file broken by hand does not stop grading: its last good copy keeps grading, with a warning;
 *  - `callscope rescore --scorecard FILE` installs a new version only after it validates completely;
 *  - score history and diffs can name the exact content behind every version.
 */

const lastGoodFile = (dataDir: string, file: string) => path.join(dataDir, 'scorecards', 'last-good', path.basename(file));
export const archiveFile = (dataDir: string, card: Pick<Scorecard, 'id' | 'version' | 'digest'>) =>
  path.join(dataDir, 'scorecards', 'archive', card.id, `${card.version}~${card.digest}.yaml`);

function remember(dataDir: string, file: string, text: string, card: Scorecard): void {
  const archived = archiveFile(dataDir, card);
  if (!existsSync(archived)) writeFileAtomic(archived, text);
  const lastGood = lastGoodFile(dataDir, file);
  if (!existsSync(lastGood) || readFileSync(lastGood, 'utf8') !== text) writeFileAtomic(lastGood, text);
}

/** The published scorecards; `warn` hears of every file that is broken and what grades in its place. */
export function loadPublishedScorecards(dir: string, dataDir: string, warn: (message: string) => void): Scorecard[] {
  const files = scorecardFiles(dir);
  if (files.length === 0) throw new CallScopeError('SCORECARD_INVALID', `no scorecards (*.yaml) in ${dir}`);
  const cards = files.map((file) => {
    const text = readFileSync(file, 'utf8');
    try {
      const card = parseScorecard(text, file);
      remember(dataDir, file, text, card);
      return card;
    } catch (err) {
      const lastGood = lastGoodFile(dataDir, file);
      if (!isCallScopeError(err) || !existsSync(lastGood)) throw err;
      let card: Scorecard;
      try {
        card = parseScorecard(readFileSync(lastGood, 'utf8'), lastGood);
      } catch {
        throw err;
      }
      warn(`${err.message} — still grading with the last good copy (${card.id} version ${card.version}) until the file is fixed`);
      return card;
    }
  });
  const ids = cards.map((c) => c.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new CallScopeError('SCORECARD_INVALID', `two files in ${dir} define scorecard "${dup}": keep one`);
  return cards;
}

/**
 * Validates `file` completely, then installs it in the published folder in place of the file with
 * the same scorecard id (or as <id>.yaml). Nothing changes when it does not validate, or when it
 * reuses a published version number for different content.
 */
export function installScorecard(file: string, dir: string, dataDir: string): { card: Scorecard; replaced: Scorecard | null; target: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CallScopeError('FILE_NOT_FOUND', `${file}: scorecard not found`);
  }
  const card = parseScorecard(text, file);
  let replaced: Scorecard | null = null;
  let target = path.join(dir, `${card.id}.yaml`);
  for (const f of scorecardFiles(dir)) {
    let other: Scorecard;
    try {
      other = parseScorecard(readFileSync(f, 'utf8'), f);
    } catch (err) {
      // A broken file is replaced only if its last good copy is this scorecard.
      const lastGood = lastGoodFile(dataDir, f);
      if (!existsSync(lastGood)) continue;
      try {
        other = parseScorecard(readFileSync(lastGood, 'utf8'), lastGood);
      } catch {
        throw new CallScopeError('SCORECARD_INVALID', messageOf(err));
      }
    }
    if (other.id !== card.id) continue;
    replaced = other;
    target = f;
  }
  if (replaced && replaced.version === card.version && replaced.digest !== card.digest) {
    throw new CallScopeError('SCORECARD_INVALID', `${file}: ${card.id} version ${card.version} is already published with different content: bump version`);
  }
  const archived = path.join(dataDir, 'scorecards', 'archive', card.id);
  if (!replaced && existsSync(archived)) {
    // Versions used before keep their meaning too.
    const clash = scorecardVersions(dataDir, card.id).find((v) => v.version === card.version && v.digest !== card.digest);
    if (clash) throw new CallScopeError('SCORECARD_INVALID', `${file}: ${card.id} version ${card.version} was published before with different content: bump version`);
  }
  writeFileAtomic(target, text);
  remember(dataDir, target, text, card);
  return { card, replaced, target };
}

/** Every version of a scorecard that has graded calls here, from the archive. */
export function scorecardVersions(dataDir: string, id: string): Array<{ version: string; digest: string; file: string }> {
  const dir = path.join(dataDir, 'scorecards', 'archive', id);
  if (!existsSync(dir)) return [];
  return scorecardFiles(dir).map((file) => {
    const [version, digest] = path.basename(file, '.yaml').split('~') as [string, string];
    return { version, digest, file };
  });
}
