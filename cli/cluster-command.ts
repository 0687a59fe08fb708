import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { z } from 'zod';
import { ClusterDb } from '../analytics/cluster/cluster-db.ts';
import { clusteredItems, describeClusters, ensureModel } from '../analytics/cluster/call-clusters.ts';
import { type ClusterItem, fitClusters } from '../analytics/cluster/clusterer.ts';
import { loadConfig } from '../core/config.ts';
import { CallScopeError } from '../core/errors.ts';
import { Role } from '../core/schemas.ts';
import { openStore } from '../indexer/open-store.ts';
import { progressReporter } from './progress.ts';

const Options = z.object({
  in: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  k: z.coerce.number().int().min(1).max(500).optional(),
  minSize: z.coerce.number().int().min(1).default(2),
  seed: z.coerce.number().int().default(1),
  store: z.boolean().optional(),
  role: Role.default('customer'),
  refit: z.boolean().optional(),
});
type Options = z.infer<typeof Options>;

const InputLine = z.object({ id: z.union([z.string().min(1), z.number()]).transform(String), text: z.string() });
/** Inputs this long get a progress bar: a fit takes seconds per few thousand texts. */
const PROGRESS_FROM = 500;
const MAX_REPORTED = 10;

/** Reads `{ id, text }` lines; every bad line is reported with its number, and then nothing is clustered. */
async function readItems(file: string): Promise<ClusterItem[]> {
  if (!existsSync(file)) throw new CallScopeError('FILE_NOT_FOUND', `no such file: ${file}`);
  const items: ClusterItem[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  let n = 0;
  for await (const raw of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    n++;
    if (!raw.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      errors.push(`line ${n}: not JSON`);
      continue;
    }
    const r = InputLine.safeParse(json);
    if (!r.success) {
      const i = r.error.issues[0]!;
      errors.push(`line ${n}: expected { "id": string, "text": string }: ${i.path.join('.') || 'line'}: ${i.message}`);
      continue;
    }
    if (seen.has(r.data.id)) {
      errors.push(`line ${n}: duplicate id ${JSON.stringify(r.data.id)}`);
      continue;
    }
    seen.add(r.data.id);
    items.push(r.data);
  }
  if (errors.length > 0) {
    const more = errors.length > MAX_REPORTED ? `\n… and ${errors.length - MAX_REPORTED} more bad lines` : '';
    throw new CallScopeError('BAD_REQUEST', `${file}: ${errors.length} bad line${errors.length === 1 ? '' : 's'}, nothing clustered:\n${errors.slice(0, MAX_REPORTED).join('\n')}${more}`);
  }
  if (items.length === 0) throw new CallScopeError('FILE_EMPTY', `${file}: no texts to cluster`);
  return items;
}

function writeLines(out: string | undefined, lines: Iterable<string>): Promise<void> {
  const stream = out ? createWriteStream(out) : process.stdout;
  for (const l of lines) stream.write(`${l}\n`);
  if (!out) return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    (stream as NodeJS.WritableStream).end(() => resolve());
  });
}

async function clusterFile(o: Options & { in: string }): Promise<void> {
  const items = await readItems(o.in);
  const progress = items.length >= PROGRESS_FROM ? progressReporter() : null;
  const { model, assignments } = fitClusters(items, { ...(o.k ? { k: o.k } : {}), minSize: o.minSize, seed: o.seed }, (stage, done, total) => {
    // One line per 10 sweeps when stderr is a file, not 300.
    if (done % 10 === 0 || done === total) progress?.update({ done, total, current: `${stage} (sweeps of ${items.length} texts)` });
  });
  progress?.finish();
  const labels = new Map(model.clusters.map((c) => [c.id, c.label]));
  await writeLines(
    o.out,
    items.map((it) => {
      const cluster = assignments.get(it.id)!;
      return JSON.stringify({ id: it.id, cluster, label: labels.get(cluster) ?? '其他' });
    }),
  );
  const other = [...assignments.values()].filter((c) => c === 'other').length;
  console.error(`${items.length} texts → ${model.clusters.length} clusters (${model.method})${other ? `, ${other} in other` : ''}`);
  for (const c of model.clusters) console.error(`  ${c.id.padEnd(5)} ${String(c.size).padStart(6)}  ${c.label}`);
}

async function clusterStore(o: Options): Promise<void> {
  const config = loadConfig();
  const store = await openStore(config);
  const db = ClusterDb.inDataDir(config.dataDir);
  try {
    const state = await ensureModel(db, store, o.role, { k: o.k, refit: Boolean(o.refit) });
    const items = await clusteredItems(db, store, o.role, state.model, await store.refs({}));
    const view = describeClusters(state.model, items, null, {});
    if (o.out) await writeLines(o.out, items.map((it) => JSON.stringify({ id: it.id, callId: it.callId, segmentId: it.segmentId, cluster: it.cluster ?? 'other' })));
    const how = state.fitted === 'existing' ? 'stored model, new segments joined' : state.fitted === 'fitted' ? 'fitted' : `re-fitted, ${((state.stability ?? 1) * 100).toFixed(1)}% of segments kept their cluster`;
    console.log(`${view.total} ${o.role} segments → ${state.model.clusters.length} clusters (${view.method}; ${how})`);
    for (const c of view.clusters) console.log(`  ${c.id.padEnd(6)} ${String(c.size).padStart(6)}  ${(c.share * 100).toFixed(1).padStart(5)}%  ${c.label}${c.quotes[0] ? `  「${c.quotes[0].text}」` : ''}`);
  } finally {
    db.close();
    await store.close();
  }
}

export function clusterCommand(): Command {
  return new Command('cluster')
    .description('group texts (or what customers say in the stored calls) into clusters labelled by their distinctive words')
    .option('--in <file>', 'JSONL input, one { "id", "text" } per line')
    .option('--out <file>', 'JSONL output, one { "id", "cluster", "label" } per input line (default: stdout)')
    .option('--k <n>', 'number of clusters (default: chosen by silhouette)')
    .option('--min-size <n>', 'clusters with fewer texts go to "other" (default 2)')
    .option('--seed <n>', 'random seed; the same input and seed give the same clusters (default 1)')
    .option('--store', 'cluster the segments of the calls in the store (CALLSCOPE_DATA) instead of --in')
    .option('--role <role>', 'with --store: whose segments, customer | agent (default customer)')
    .option('--refit', 'with --store: re-cluster everything, keeping cluster ids where the content is the same')
    .addHelpText(
      'after',
      `
Method: a Dirichlet multinomial mixture (GSDMM) over jieba words, Han characters and bigrams, the consensus
of up to 20 restarts (10 without --k); without --k, the fitted clusters are merged (Ward) and the level with the best silhouette is kept.
Labels are the 3 most distinctive words of each cluster (class-based TF-IDF). See docs/clusters.md.

Examples:
  callscope cluster --in titles.jsonl --out clusters.jsonl --k 10
  callscope cluster --store --role customer          # fits once, then new calls join the stored clusters`,
    )
    .action(async (raw: Record<string, unknown>) => {
      const parsed = Options.safeParse(raw);
      if (!parsed.success) throw new CallScopeError('BAD_REQUEST', parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
      const o = parsed.data;
      if (o.store) return clusterStore(o);
      if (!o.in) throw new CallScopeError('BAD_REQUEST', 'give --in <file.jsonl> (or --store to cluster the stored calls); see callscope cluster --help');
      return clusterFile({ ...o, in: o.in });
    });
}
