/** JSON with object keys sorted, so equal values hash equally whatever order their keys were built in. */
export function stableStringify(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.length ? out.join('') : 'null';
}

// Hand-written rather than a JSON.stringify replacer, which allocated a sorted copy of every object:
// hashing stage inputs this way dominated re-scoring time. Same output as that replacer.
const quotedKeys = new Map<string, string>();
const sortedKeys = new Map<string, string[]>();

function keysOf(v: object): string[] {
  const keys = Object.keys(v);
  const shape = keys.join('\u0000');
  let sorted = sortedKeys.get(shape);
  if (!sorted) {
    sorted = [...keys].sort();
    if (sortedKeys.size < 10_000) sortedKeys.set(shape, sorted);
  }
  return sorted;
}

function quote(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, q);
  }
  return q;
}

/** Appends v's JSON to out; returns false (and appends nothing) for what JSON omits (undefined, functions). */
function write(v: unknown, out: string[]): boolean {
  if (v === null) {
    out.push('null');
    return true;
  }
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return true;
    case 'number':
      out.push(Number.isFinite(v) ? String(v) : 'null');
      return true;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return true;
    case 'object':
      break;
    case 'bigint':
      return (JSON.stringify(v), false);
    default:
      return false;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return write((v as { toJSON(): unknown }).toJSON(), out);
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      if (!write(v[i], out)) out.push('null');
    }
    out.push(']');
    return true;
  }
  out.push('{');
  let first = true;
  for (const key of keysOf(v)) {
    const at = out.length;
    out.push(first ? '' : ',', quote(key), ':');
    if (write((v as Record<string, unknown>)[key], out)) first = false;
    else out.length = at;
  }
  out.push('}');
  return true;
}
