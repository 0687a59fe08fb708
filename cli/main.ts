import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../core/config.ts';
import { CallScopeError, isCallScopeError, messageOf } from '../core/errors.ts';
import { createLogger, logFile } from '../core/log.ts';
import { openStore } from '../indexer/open-store.ts';
import { Pipeline } from '../pipeline/ingest.ts';
import { loadPublishedScorecards } from '../scoring-models/published.ts';
import { startServer } from '../api/server.ts';
import { lazyQueue } from '../api/jobs-routes.ts';
import { CallQueue } from '../pipeline/call-queue.ts';
import { runNlpCommand } from './nlp-command.ts';
import { kwsCommand } from './kws-command.ts';
import { clusterCommand } from './cluster-command.ts';
import { modelsCommand } from './models-command.ts';
import { reviewCommand } from './review-command.ts';
import { runScorecardTest } from './scorecard-command.ts';
import { runDiff, runExplain, runHistory, runRescore } from './rescore-command.ts';
import { progressReporter } from './progress.ts';
import { auditCommand, hasAnyUser, usersCommand } from './users-command.ts';
import { cliActor } from '../api/audit/cli-actor.ts';
import { openAuditLog } from '../api/audit/audit-log.ts';
import { parseStates, runJobsList, runJobsRetry, runQueuedIngest, runWorker } from './queue-commands.ts';
import { warmTermCache } from '../analytics/term-discovery.ts';

// `callscope … | head` closes stdout early: stop quietly, as other command-line tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

/** Exit codes: 0 all good, 1 the command could not run, 2 it ran but some calls failed. */
const EXIT_SOME_FAILED = 2;

const program = new Command()
  .name('callscope')
  .description('Speech & semantic QA for bank contact centres: ingest recordings, score every call, explore the results.')
  .addHelpText(
    'after',
    `
Environment:
  CALLSCOPE_DATA         record store and index folder (default: .callscope-data in the repo)
  CALLSCOPE_MODELS       model folder (default: ../shared/models when present)
  CALLSCOPE_SCORECARDS   scorecard folder (default: scoring-models/scorecards)
  CALLSCOPE_CONCURRENCY  calls processed at once (default 2)
  CALLSCOPE_REVIEW_RULES review queue rules and SLAs (default: $CALLSCOPE_DATA/review-rules.yaml; docs/review.md)
  HOST, PORT             where \`serve\` listens (default 127.0.0.1:8420)
  CALLSCOPE_LOG=stderr   send the JSON logs to stderr instead of $CALLSCOPE_DATA/logs
  REDIS_URL              run the pipeline on BullMQ workers: ingest enqueues, \`callscope worker\` processes
                         (docs/scale-out.md; CALLSCOPE_JOB_LOCK_MS, CALLSCOPE_JOB_STALLED_CHECK_MS,
                         CALLSCOPE_JOB_ATTEMPTS, CALLSCOPE_JOB_BACKOFF_MS tune the jobs)`,
  );

program
  .command('ingest')
  .description('ingest recordings (and transcript sidecars), then transcribe, analyse, score and index them')
  .argument('<paths...>', 'audio files, *.transcript.json files, or folders of them')
  .option('--meta <file>', 'metadata sidecar (JSONL or CSV) matched to files by name; default: meta.jsonl / meta.csv inside an ingested folder')
  .option('--json', 'print one JSON line per call instead of the human summary')
  .option('--wait', 'with REDIS_URL: wait for the workers to finish these calls, with progress (exit code 2 if some failed)')
  .addHelpText(
    'after',
    `
Each call's id is the sha256 of its audio (or of its transcript when there is no audio), so ingesting the
same file twice changes nothing. A sidecar <audio name>.transcript.json (callscope-transcript/v1, see
docs/transcript-format.md) supplies the text; without one, the whisper model under CALLSCOPE_MODELS is used.
Exit code 2 when some calls failed; they stay visible (export, API) with their error and are retried next run.
With REDIS_URL set, ingest only stores each call's record under CALLSCOPE_DATA and enqueues one job per call
(job id = call id) for \`callscope worker\` processes; --wait follows them to the end, \`callscope jobs\` shows them.`,
  )
  .action(async (paths: string[], opts: { meta?: string; json?: boolean; wait?: boolean }) => {
    const config = loadConfig();
    if (config.redisUrl) {
      process.exitCode = await runQueuedIngest(config, paths, opts);
      return;
    }
    const store = openStore(config);
    const log = createLogger(config, 'pipeline');
    const pipeline = new Pipeline({ config, store, log, scorecards: loadPublishedScorecards(config.scorecardsDir, config.dataDir, (m) => console.error(`warning: ${m}`)) });
    const progress = progressReporter();
    try {
      const summary = await pipeline.ingest(paths, opts.meta, (p) => progress.update(p));
      progress.finish();
      for (const p of summary.problems) console.error(`warning: ${p.where}: ${p.message}`);
      const failed = summary.outcomes.filter((o) => o.status === 'failed');
      for (const o of failed) console.error(`error: ${o.origin}: ${o.error?.code}: ${o.error?.message}`);
      if (opts.json) {
        for (const o of summary.outcomes) console.log(JSON.stringify(o));
      } else {
        const n = (s: string) => summary.outcomes.filter((o) => o.status === s).length;
        console.log(
          `${summary.outcomes.length} calls in ${(summary.durationMs / 1000).toFixed(1)} s: ${n('new')} new, ${n('updated')} updated, ${n('unchanged')} unchanged, ${failed.length} failed` +
            (summary.skipped.length ? ` (${summary.skipped.length} other files skipped)` : ''),
        );
        console.log(`store: ${config.dataDir}   log: ${logFile(config, 'pipeline')}`);
      }
      if (failed.length > 0 || summary.problems.length > 0) process.exitCode = EXIT_SOME_FAILED;
    } finally {
      await store.close();
    }
  });

program
  .command('serve')
  .description('serve the API and the web UI')
  .addOption(new Option('--port <port>', 'port to listen on (env PORT)').argParser(Number))
  .addOption(new Option('--host <host>', 'address to listen on (env HOST)'))
  .action(async (opts: { port?: number; host?: string }) => {
    const config = loadConfig();
    const store = openStore(config);
    const queue = config.redisUrl ? lazyQueue(() => CallQueue.open(config)) : null;
    const server = await startServer(store, opts.host ?? config.host, opts.port ?? config.port, { jobs: queue?.access ?? null, config });
    console.log(`CallScope is serving ${(await store.counts()).calls} calls at ${server.url}/`);
    if (!hasAnyUser(config.dataDir)) console.log('No account exists yet: create the first admin with `callscope users create-admin` (everything needs a login).');
    // Built now rather than on the first dashboard query (about a minute per million calls).
    void store.warm?.().catch((err: unknown) => console.error(`warning: could not prepare the analytics mirror or the vector indexes: ${messageOf(err)}`));
    // Then every call's words for 热点 term discovery (~0.5 ms a call, in pages between requests).
    void warmTermCache(store).catch((err: unknown) => console.error(`warning: could not prepare hot-topic terms: ${messageOf(err)}`));
    const stop = async () => {
      await server.close();
      await queue?.close();
      await store.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program
  .command('worker')
  .description('process queued calls (needs REDIS_URL); run any number, on any machine sharing CALLSCOPE_DATA')
  .addOption(new Option('--concurrency <n>', 'calls processed at once by this worker (env CALLSCOPE_CONCURRENCY)').argParser(Number))
  .addHelpText(
    'after',
    `
A worker takes one job per call from the Redis queue and runs its stages (transcribe, analyze, score) and
indexing with the same cached handlers as the in-process pipeline: stage outputs under CALLSCOPE_DATA are
reused, so a retried or re-queued call redoes only what changed. Transient faults are retried with
exponential backoff (CALLSCOPE_JOB_ATTEMPTS, CALLSCOPE_JOB_BACKOFF_MS); bad input fails the job at once.
A worker that dies mid-job loses its lock after CALLSCOPE_JOB_LOCK_MS; another worker's stalled check
(every CALLSCOPE_JOB_STALLED_CHECK_MS) puts the job back. SIGINT/SIGTERM: finish the jobs in hand, then exit.`,
  )
  .action(async (opts: { concurrency?: number }) => {
    const config = loadConfig();
    const concurrency = opts.concurrency ?? config.concurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new CallScopeError('BAD_REQUEST', '--concurrency must be a whole number from 1 to 64');
    await runWorker(config, concurrency);
  });

const jobs = program
  .command('jobs')
  .description('show and retry the queued pipeline jobs (needs REDIS_URL)')
  .addHelpText('after', '\nOne job per call; its id is the call id. Without a subcommand: `jobs list`.');
jobs
  .command('list', { isDefault: true })
  .description('job counts, then failed, active, waiting and delayed jobs with their error')
  .option('--state <states>', 'comma-separated states to list: failed, active, waiting, delayed, prioritized, completed', (v: string) => (parseStates(v), v))
  .addOption(new Option('--limit <n>', 'at most this many jobs').argParser(Number).default(50))
  .option('--json', 'print { counts, jobs } as JSON')
  .addHelpText('after', '\nEach line: state, the first 12 characters of the call id, the ingested path, attempts, the worker; failed jobs\nshow `<stage>: <CODE>: <message>` below. Exit code 2 when some jobs failed.')
  .action(async (opts: { state?: string; limit: number; json?: boolean }) => {
    process.exitCode = await runJobsList(loadConfig(), opts);
  });
jobs
  .command('retry')
  .description('queue failed jobs again, with fresh attempts')
  .argument('[id]', 'a job id (the call id; a unique prefix of 4+ characters works)')
  .option('--all-failed', 'retry every failed job')
  .addHelpText('after', '\nThe call\'s cached stage outputs are reused: only the stage that failed and those after it run again.')
  .action(async (id: string | undefined, opts: { allFailed?: boolean }) => {
    await runJobsRetry(loadConfig(), id, opts);
  });

program
  .command('export')
  .description('write every call document as JSON lines (one CallDoc per line; see docs/export-format.md)')
  .option('--out <file>', 'output file (default: standard output)')
  .addOption(new Option('--status <status>', 'only calls with this status').choices(['ok', 'failed']))
  .action(async (opts: { out?: string; status?: 'ok' | 'failed' }) => {
    const config = loadConfig();
    const store = openStore(config);
    const out = opts.out ? createWriteStream(path.resolve(opts.out)) : process.stdout;
    const audit = openAuditLog(config.dataDir);
    audit.append({ actor: cliActor(), action: 'export', target: opts.out ? path.resolve(opts.out) : 'stdout', details: { status: opts.status ?? 'all', unmasked: true } });
    audit.close();
    let n = 0;
    try {
      for await (const doc of store.all()) {
        if (opts.status && doc.status !== opts.status) continue;
        if (!out.write(`${JSON.stringify(doc)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
        n++;
      }
    } finally {
      await store.close();
    }
    if (opts.out) {
      await new Promise<void>((r) => (out as NodeJS.WritableStream).end(r));
      console.error(`exported ${n} calls to ${opts.out}`);
    }
  });

program
  .command('nlp')
  .description('run the NLP stage on text: masking, tokens, lexicon hits, emotion, taxonomy tags')
  .argument('[text...]', 'the text to analyse; without it, JSON lines {"id", "role", "text"} are read from standard input')
  .addOption(new Option('--role <role>', 'speaker of the text given as an argument').choices(['agent', 'customer', 'unknown']).default('customer'))
  .addHelpText('after', '\nOutput: one JSON line per input, with the same id (docs/nlp-output.md). Exit code 2 when some input lines were malformed.')
  .action(async (texts: string[], opts: { role: 'agent' | 'customer' | 'unknown' }) => {
    process.exitCode = await runNlpCommand(texts, opts.role);
  });

const scorecard = program.command('scorecard').description('work with scorecards');
scorecard
  .command('test')
  .description('backtest a draft scorecard against human labels of ingested calls (nothing is published)')
  .argument('<file>', 'the scorecard YAML')
  .requiredOption('--labels <file>', 'JSON lines { "callId" | "audioFile" | "id", "violations": [codes] } (calls.jsonl with truth.violations also works)')
  .option('--json', 'print the result as JSON')
  .addHelpText('after', '\nPer checkpoint with a `label`: confusion counts, precision / recall / F1 of "failed", Cohen\'s κ, and every disagreeing call.')
  .action(async (file: string, opts: { labels: string; json?: boolean }) => {
    process.exitCode = await runScorecardTest(loadConfig(), file, opts.labels, Boolean(opts.json));
  });

program
  .command('rescore')
  .description('grade every stored call again from its stored transcript and NLP output (never ASR)')
  .option('--scorecard <file>', 'publish this scorecard first (validated completely; a bad file changes nothing), then grade with it')
  .option('--json', 'print the summary (and the diff against the version it replaced) as JSON')
  .addHelpText(
    'after',
    `
The published scorecards are the YAML files in CALLSCOPE_SCORECARDS. --scorecard FILE replaces the file with
the same scorecard id (or adds <id>.yaml); a version number already published with other content is
refused. Results of earlier versions stay in the record store: see \`scorecard history\` and \`scorecard diff\`.
A published file later broken by hand keeps grading with its last good copy (with a warning).
A call the index lacks (a new or lost index, e.g. after switching CALLSCOPE_STORE to elasticsearch) is
rebuilt whole from the stage outputs kept in CALLSCOPE_DATA and indexed: this is how an index is rebuilt.
Exit code 2 when some calls failed to re-score.`,
  )
  .action(async (opts: { scorecard?: string; json?: boolean }) => {
    process.exitCode = await runRescore(loadConfig(), opts);
  });

scorecard
  .command('explain')
  .description("one call's grade by a scorecard (draft or published): every checkpoint's decision with its evidence")
  .argument('<file>', 'the scorecard YAML')
  .requiredOption('--call <id>', 'the call: id, id prefix (4+ characters), the bank call id, or the recording file name')
  .option('--json', 'print the score as JSON')
  .addHelpText('after', '\n✓ passed  ✗ failed  – not applicable; » marks the words that decided, the other lines are what was said instead.')
  .action(async (file: string, opts: { call: string; json?: boolean }) => {
    process.exitCode = await runExplain(loadConfig(), file, opts.call, Boolean(opts.json));
  });

scorecard
  .command('history')
  .description('every scorecard version that has graded a call, oldest first')
  .argument('<call>', 'id, id prefix, bank call id or file name')
  .option('--json', 'print as JSON')
  .action(async (call: string, opts: { json?: boolean }) => {
    process.exitCode = await runHistory(loadConfig(), call, Boolean(opts.json));
  });

scorecard
  .command('diff')
  .description('how two versions of a scorecard grade the stored calls differently, per checkpoint')
  .argument('<id>', 'the scorecard id, e.g. bank-service-standard')
  .requiredOption('--from <version>', 'the older version')
  .requiredOption('--to <version>', 'the newer version')
  .option('--json', 'print as JSON')
  .addHelpText('after', '\nCompares the stored grades of every call graded by both versions: verdict changes, mean total change, and per\ncheckpoint the outcome transitions (passed→failed, failed→n/a, …) with the calls.')
  .action(async (id: string, opts: { from: string; to: string; json?: boolean }) => {
    process.exitCode = await runDiff(loadConfig(), id, opts.from, opts.to, Boolean(opts.json));
  });

program.addCommand(kwsCommand());
program.addCommand(modelsCommand());
program.addCommand(reviewCommand());
program.addCommand(usersCommand());
program.addCommand(auditCommand());
program.addCommand(clusterCommand());

function fail(err: unknown): never {
  if (isCallScopeError(err)) console.error(`callscope: ${err.message}`);
  else {
    console.error(`callscope: unexpected error: ${messageOf(err)}`);
    if (process.env.CALLSCOPE_DEBUG) console.error(err);
  }
  process.exit(1);
}

await program.parseAsync(process.argv).catch(fail);
