import { deserialize, serialize } from 'node:v8';
import { brotliDecompressSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { compressSync, uncompressSync } from 'lz4-napi';
import { CallScopeError } from '../../core/errors.ts';
import type { CallDoc } from '../../core/schemas.ts';

/**
 * How a stored document (`call_docs.doc`) is encoded, by its row's `codec`:
 * - NULL: JSON, brotli quality 1 (rows written before the codec column);
 * - 0: `v8.serialize(doc)`, LZ4 block;
 * - k ≥ 1: `v8.serialize(doc)`, LZ4 block with dictionary k (`doc_dictionaries`).
 * V8's serialization format is documented as backward-compatible (readable by later Node versions).
 */
export type Codec = number | null;
/** A document as stored: the blob and its codec. */
export type StoredBlob = { blob: Buffer; codec: Codec };

export const DOC_DICTIONARIES_DDL = 'CREATE TABLE IF NOT EXISTS doc_dictionaries (id INTEGER PRIMARY KEY, bytes BLOB NOT NULL)';

/** A store without a dictionary builds one once it has seen this many bytes of serialised documents… */
export const DICTIONARY_FROM_BYTES = 32 * 1024;
/** …from their last bytes (LZ4 uses at most 64 KB of dictionary). */
const DICTIONARY_BYTES = 64 * 1024;

/** The bytes a document is stored from (without its segment embeddings: see withoutSegmentEmbeddings). */
export function serializeDoc(doc: CallDoc): Buffer {
  const embedding = doc.nlp?.embedding;
  return serialize(embedding ? { ...doc, nlp: { ...doc.nlp, embedding: { ...embedding, vector: packed(embedding.vector) } } } : doc);
}

/**
 * The same numbers in a packed array. V8 writes a holey array (what an optimised `.map` makes;
 * `Array.from` and spreads keep the kind) index by index: the 192-d call embedding took ~2.2 KB
 * instead of ~1.7 KB, and compressed worse against the dictionary (~2,730 B a call instead of ~1,920).
 */
function packed(vector: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < vector.length; i++) {
    // An array with real holes (never a validated document) is written as it is, holes kept.
    if (!(i in vector)) return vector;
    out.push(vector[i]!);
  }
  return out;
}

/** The one packing function: the writing thread and the prepare threads both store these bytes. */
export function packDoc(serialized: Uint8Array, dictionary: Buffer | null): Buffer {
  const bytes = Buffer.isBuffer(serialized) ? serialized : Buffer.from(serialized.buffer, serialized.byteOffset, serialized.byteLength);
  return dictionary ? compressSync(bytes, dictionary) : compressSync(bytes);
}

/** The one unpacking function, for every reader of `call_docs` (no schema pass: the store validated it on the way in). */
export function unpackDoc({ blob, codec }: StoredBlob, dictionary: (id: number) => Buffer): CallDoc {
  if (codec === null) return JSON.parse(brotliDecompressSync(blob).toString('utf8')) as CallDoc;
  return deserialize(codec === 0 ? uncompressSync(blob) : uncompressSync(blob, dictionary(codec))) as CallDoc;
}

/** The dictionary a write compresses with: `id` is null until the write transaction saves it. */
export type WriteDictionary = { id: number | null; bytes: Buffer };

/**
 * The store's document dictionaries: all of them in memory (for reading), the newest one used for
 * writing. A store without one samples the documents it writes and builds one from them; its id is
 * given by the transaction that first uses it (another process may have saved one meanwhile: ids
 * never clash, and a reader loads a dictionary it does not know yet from the table).
 */
export class DocDictionaries {
  private readonly byId = new Map<number, Buffer>();
  private current: WriteDictionary | null = null;
  /** The dictionary the running write transaction saved (forgotten again if it rolls back). */
  private unsaved: WriteDictionary | null = null;
  private sample: Uint8Array[] = [];
  private sampled = 0;

  constructor(private readonly db: Database.Database) {
    db.exec(DOC_DICTIONARIES_DDL);
    // Added without a schema version (like call_grades): rows written before it keep NULL (brotli JSON).
    const lacksCodec = () =>
      db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'call_docs'`).get() !== undefined &&
      !(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('call_docs') as string[]).includes('codec');
    // Checked again under the write lock: two processes may open an older file at once.
    if (lacksCodec()) db.transaction(() => lacksCodec() && db.exec('ALTER TABLE call_docs ADD COLUMN codec INTEGER')).immediate();
    this.reload();
  }

  private reload(): void {
    for (const [id, bytes] of this.db.prepare('SELECT id, bytes FROM doc_dictionaries ORDER BY id').raw().all() as Array<[number, Buffer]>) {
      this.byId.set(id, bytes);
      if (!this.current || this.current.id !== null) this.current = { id, bytes };
    }
  }

  /** The bytes of dictionary `id` (for unpackDoc). */
  readonly bytesOf = (id: number): Buffer => {
    let bytes = this.byId.get(id);
    if (!bytes) {
      this.reload();
      bytes = this.byId.get(id);
    }
    if (!bytes) throw new CallScopeError('STORE_FAILED', `a stored document needs dictionary ${id}, which the index does not hold`);
    return bytes;
  };

  /**
   * The dictionary to compress a write's `count` documents with (null: none yet). Without one,
   * (up to DICTIONARY_BYTES of) them are sampled (`serialized(i)`); once DICTIONARY_FROM_BYTES
   * have been seen, by this write or earlier ones, a dictionary is cut from the last of them.
   */
  forWrite(count: number, serialized: (i: number) => Uint8Array): WriteDictionary | null {
    if (this.current) return this.current;
    for (let i = 0; i < count && this.sampled < DICTIONARY_BYTES; i++) {
      const bytes = serialized(i);
      this.sample.push(bytes);
      this.sampled += bytes.byteLength;
      while (this.sampled - this.sample[0]!.byteLength >= DICTIONARY_BYTES) this.sampled -= this.sample.shift()!.byteLength;
    }
    if (this.sampled < DICTIONARY_FROM_BYTES) return null;
    const all = Buffer.concat(this.sample);
    this.current = { id: null, bytes: Buffer.from(all.subarray(Math.max(0, all.length - DICTIONARY_BYTES))) };
    this.sample = [];
    this.sampled = 0;
    return this.current;
  }

  /** Inside the write transaction: the codec of documents packed with `dictionary` (saving it first if new). */
  codecOf(dictionary: WriteDictionary | null): number {
    if (!dictionary) return 0;
    if (dictionary.id === null) {
      dictionary.id = this.db.prepare('INSERT INTO doc_dictionaries (bytes) VALUES (?) RETURNING id').pluck().get(dictionary.bytes) as number;
      this.byId.set(dictionary.id, dictionary.bytes);
      this.unsaved = dictionary;
    }
    return dictionary.id;
  }

  /** After the write transaction: a dictionary it saved is kept, or (rolled back) saved again by the next write. */
  settle(committed: boolean): void {
    if (this.unsaved && !committed) {
      this.byId.delete(this.unsaved.id!);
      this.unsaved.id = null;
    }
    this.unsaved = null;
  }
}
