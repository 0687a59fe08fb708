import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { openAuth } from '../../api/auth/auth.ts';
import { openApiPath } from '../../api/openapi.ts';
import { asAdmin } from '../auth-helpers.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { tempDir, testPipeline, type TestPipeline } from '../helpers.ts';

/** The OpenAPI document served by the real app: well-formed 3.1, and no registered route missing from it. */
const data = tempDir('callscope-openapi-');
let p: TestPipeline;
let doc: any;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  p = testPipeline(data.dir);
  const auth = openAuth(p.config.dataDir);
  app = createApp(p.store as CallStore, { config: p.config, auth });
  const res = await (await asAdmin(app, auth))('/api/openapi.json');
  expect(res.status).toBe(200);
  doc = await res.json();
});
afterAll(async () => {
  await p?.close();
  data.cleanup();
});

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document whose operations each have an id, responses and typed parameters', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      expect(path.startsWith('/api/')).toBe(true);
      for (const [method, op] of Object.entries<any>(item)) {
        expect(METHODS).toContain(method);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(op.responses['200']).toBeDefined();
        const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const inPath = (op.parameters ?? []).filter((x: any) => x.in === 'path').map((x: any) => x.name);
        expect(inPath.sort()).toEqual(templated.sort());
        for (const param of op.parameters ?? []) {
          expect(['query', 'path']).toContain(param.in);
          expect(typeof param.name).toBe('string');
          expect(typeof param.schema).toBe('object');
          expect(typeof param.required).toBe('boolean');
        }
      }
    }
    for (const ref of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) expect(doc.components.schemas[ref[1]!]).toBeDefined();
  });

  it('documents every API route the app registers', () => {
    const registered = app.routes
      .filter((r) => r.path.startsWith('/api/') && !r.path.includes('*') && METHODS.includes(r.method.toLowerCase()))
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`);
    expect(registered.length).toBeGreaterThan(15);
    const documented = Object.entries<any>(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    expect(registered.filter((r) => !documented.includes(r))).toEqual([]);
  });

  it('takes the parameters from the validating schemas (required, enums, descriptions)', () => {
    const overview = doc.paths['/api/analytics/overview'].get.parameters;
    const from = overview.find((x: any) => x.name === 'from');
    expect(from.required).toBe(true);
    expect(from.schema.format).toBe('date');
    expect(overview.find((x: any) => x.name === 'interval').schema.enum).toEqual(['day', 'week', 'month']);
    expect(overview.find((x: any) => x.name === 'branch').required).toBe(false);
    expect(doc.paths['/api/search'].get.parameters.find((x: any) => x.name === 'q').required).toBe(true);
    expect(doc.paths['/api/scorecards/explain'].post.requestBody.content['application/json'].schema.required).toContain('callId');
  });
});
