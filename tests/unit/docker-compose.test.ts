import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configVariables, loadConfig, repoRoot } from '../../core/config.ts';
import { runCli } from '../run-cli.ts';

/**
 * docker-compose.yml cannot be run here (no Docker engine; `docker compose config` is not
 * available), so this checks what the deployment relies on: services, images, ports, volumes,
 * health-gated start-up, and that the env the API and workers get is what our config accepts.
 */

type Service = {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas: number | string };
};
type Compose = { name: string; services: Record<string, Service>; volumes: Record<string, unknown> };

const text = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
const compose = parse(text, { merge: true }) as Compose;
const { elasticsearch, redis, api, worker } = compose.services as Record<'elasticsearch' | 'redis' | 'api' | 'worker', Service>;

/** Compose interpolation: ${VAR:-default} → default, ${VAR:?msg} and ${VAR} → `given[VAR]`, $$ → $. */
function interpolate(value: string, given: Record<string, string>): string {
  return value
    .replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
      if (given[name] !== undefined) return given[name];
      if (op === '-') return arg ?? '';
      throw new Error(`${name} is required by docker-compose.yml: ${arg ?? ''}`);
    })
    .replaceAll('$$', '$');
}
const operatorEnv = { ELASTIC_PASSWORD: 's3cret-pass' };
const envOf = (s: Service) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), operatorEnv)]));

describe('docker-compose.yml', () => {
  it('declares Elasticsearch, Redis, the API and the workers', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'elasticsearch', 'redis', 'worker']);
  });

  it('runs Elasticsearch as a single node with security on, the password from the environment, on 9200', () => {
    const env = elasticsearch.environment!;
    expect(env['discovery.type']).toBe('single-node');
    expect(env['xpack.security.enabled']).toBe('true');
    expect(env.ELASTIC_PASSWORD).toMatch(/^\$\{ELASTIC_PASSWORD:\?/);
    expect(() => interpolate(env.ELASTIC_PASSWORD!, {})).toThrow(/ELASTIC_PASSWORD is required/);
    expect(elasticsearch.ports).toContain('9200:9200');
    expect(interpolate(elasticsearch.image!, {})).toMatch(/^docker\.elastic\.co\/elasticsearch\/elasticsearch:9\.\d+\.\d+$/);
    expect(elasticsearch.healthcheck!.test.join(' ')).toContain('-u elastic:$$ELASTIC_PASSWORD');
  });

  it('runs Redis with an append-only file and no eviction, so queued calls survive a restart', () => {
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(redis.volumes).toEqual(['redis-data:/data']);
    expect(redis.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('builds the API and the workers from the Dockerfile, both waiting for healthy Elasticsearch and Redis', () => {
    for (const s of [api, worker]) {
      expect(s.build).toBe('.');
      expect(s.image).toBe('callscope:local');
      expect(s.depends_on).toEqual({ elasticsearch: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/apt-get install .*ffmpeg/);
    expect(dockerfile).toContain('ENTRYPOINT ["node", "bin/callscope.js"]');
  });

  it('wires the API and workers to the redis and elasticsearch services, with one shared data volume', () => {
    for (const s of [api, worker]) {
      const env = envOf(s);
      const redisUrl = new URL(env.REDIS_URL!);
      expect([redisUrl.protocol, redisUrl.hostname, redisUrl.port]).toEqual(['redis:', 'redis', '6379']);
      const esUrl = new URL(env.ELASTICSEARCH_URL!);
      expect([esUrl.hostname, esUrl.port]).toEqual(['elasticsearch', '9200']);
      expect(env.CALLSCOPE_STORE).toBe('elasticsearch');
      expect(env.ELASTIC_PASSWORD).toBe(operatorEnv.ELASTIC_PASSWORD);
      expect(s.volumes).toContain(`callscope-data:${env.CALLSCOPE_DATA}`);
    }
    expect(envOf(api)).toEqual(envOf(worker));
    expect(Object.keys(compose.volumes).sort()).toEqual(['callscope-data', 'es-data', 'redis-data']);
  });

  it('gives the API and workers only variables our configuration knows, with values it accepts', () => {
    const env = envOf(api);
    // CALLSCOPE_LOG is read by the logger, not the config schema.
    expect(Object.keys(env).filter((k) => k !== 'CALLSCOPE_LOG' && !configVariables.includes(k))).toEqual([]);
    const config = loadConfig(env);
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.dataDir).toBe('/data');
  });

  it('publishes the API port it serves on and runs N worker replicas', () => {
    expect(api.command).toEqual(['serve', '--host', '0.0.0.0', '--port', '8420']);
    expect(api.ports).toEqual(['8420:8420']);
    expect(worker.command).toEqual(['worker']);
    expect(Number(interpolate(String(worker.deploy!.replicas), {}))).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['api', () => api.command!],
    ['worker', () => worker.command!],
  ])('the %s command is one the CLI accepts', async (_name, command) => {
    const r = await runCli([...command(), '--help'], {});
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
