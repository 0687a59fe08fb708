import { Command } from 'commander';
import { stringify } from 'yaml';
import type { Actor } from '../api/actor.ts';
import { openAuditLog } from '../api/audit/audit-log.ts';
import { openReview } from '../api/review/open-review.ts';
import { loadQueueRules } from '../api/review/rules.ts';
import { loadConfig } from '../core/config.ts';
import { openStore } from '../indexer/open-store.ts';

/** The operator at the server's console: the whole bank's calls, as an administrator. */
const CONSOLE: Actor = { userId: 'console', name: '命令行', role: 'admin', scope: { kind: 'all' }, canUnmask: false };

/** `callscope review …`: writes to the same hash-chained audit log as the API. */
export function reviewCommand(): Command {
  const review = new Command('review').description('the QA review queue (docs/review.md)');

  review
    .command('sync')
    .description('queue the calls the review rules select (vetoed, failed, low confidence, complaint intent) and each agent’s weekly sample; assign them')
    .option('--json', 'print the counts as JSON')
    .addHelpText(
      'after',
      `
Reads every scored call in the index. A call is queued once per scorecard version, so running sync again
(e.g. from cron after each ingest) only adds new calls. Rules: $CALLSCOPE_REVIEW_RULES or
$CALLSCOPE_DATA/review-rules.yaml (defaults when absent; \`callscope review rules\` prints them).`,
    )
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const store = openStore(config);
      const audit = openAuditLog(config.dataDir);
      const r = openReview(config, store, audit);
      try {
        const result = await r.workflow.sync(CONSOLE);
        if (opts.json) console.log(JSON.stringify(result));
        else {
          const reasons = Object.entries(result.byReason).map(([k, n]) => `${k} ${n}`).join(', ');
          console.log(`${result.examined} calls examined, ${result.added} queued${reasons ? ` (${reasons})` : ''}`);
        }
      } finally {
        r.close();
        audit.close();
        await store.close();
      }
    });

  review
    .command('rules')
    .description('print the review rules in effect (the file merged over the defaults)')
    .action(() => {
      const config = loadConfig();
      console.log(`# ${config.reviewRulesFile}\n${stringify(loadQueueRules(config.reviewRulesFile))}`);
    });

  return review;
}
