import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReviewDb } from '../../api/review/review-db.ts';
import { tempDir, testPipeline } from '../helpers.ts';
import { ingestDevTranscripts } from '../review-calls.ts';
import { runCli } from '../run-cli.ts';

const data = tempDir('callscope-review-cli-');
const dataDir = path.join(data.dir, 'data');

beforeAll(async () => {
  const p = testPipeline(dataDir);
  mkdirSync(path.join(data.dir, 'in'));
  await ingestDevTranscripts(p, path.join(data.dir, 'in'));
  await p.close();
});

afterAll(() => data.cleanup());

describe('callscope review', () => {
  it('sync queues from the real index once, with the rules file in the data folder', async () => {
    // Only vetoed calls and one sampled call per agent and week.
    writeFileSync(path.join(dataDir, 'review-rules.yaml'), 'failed: false\nlowConfidence: { enabled: false }\ncomplaint: { flags: [], complaintTags: false }\nsample: { perAgentPerWeek: 1 }\n');
    const first = await runCli(['review', 'sync', '--json'], { CALLSCOPE_DATA: dataDir });
    expect(first.stderr).toBe('');
    // Vetoed: SYN-0002, 0004, 0014, 0019. The other six calls have six different agent-weeks: each is its agent's sample.
    expect(JSON.parse(first.stdout)).toEqual({ examined: 10, added: 10, byReason: { vetoed: 4, sample: 6 } });
    const again = await runCli(['review', 'sync'], { CALLSCOPE_DATA: dataDir });
    expect(again.stdout.trim()).toBe('10 calls examined, 0 queued');
    const db = openReviewDb(path.join(dataDir, 'review.sqlite'));
    expect((db.prepare('SELECT COUNT(*) AS n FROM items').get() as { n: number }).n).toBe(10);
    db.close();
  });

  it('a bad rules file stops with its field named, nothing queued', async () => {
    writeFileSync(path.join(dataDir, 'review-rules.yaml'), 'slaHours: { review: -3 }\n');
    const r = await runCli(['review', 'sync'], { CALLSCOPE_DATA: dataDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/review-rules.yaml: slaHours.review: /);
  });

  it('rules prints the file named by CALLSCOPE_REVIEW_RULES (JSON too) merged over the defaults', async () => {
    const file = path.join(data.dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ sample: { perAgentPerWeek: 7 } }));
    const r = await runCli(['review', 'rules'], { CALLSCOPE_DATA: dataDir, CALLSCOPE_REVIEW_RULES: file });
    expect(r.stdout).toContain(`# ${file}`);
    expect(r.stdout).toMatch(/perAgentPerWeek: 7\n\s+seed: callscope/);
  });
});
