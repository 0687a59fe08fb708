/** Finds every occurrence of many patterns in one pass over the text. */
export class AhoCorasick<T> {
  private readonly goto: Array<Map<string, number>> = [new Map()];
  private readonly fail: number[] = [0];
  private readonly out: Array<Array<{ length: number; value: T }>> = [[]];

  constructor(patterns: Iterable<[string, T]>) {
    for (const [pattern, value] of patterns) this.add(pattern, value);
    this.build();
  }

  private add(pattern: string, value: T): void {
    if (!pattern) return;
    let node = 0;
    for (const ch of pattern) {
      let next = this.goto[node]!.get(ch);
      if (next === undefined) {
        next = this.goto.length;
        this.goto.push(new Map());
        this.fail.push(0);
        this.out.push([]);
        this.goto[node]!.set(ch, next);
      }
      node = next;
    }
    this.out[node]!.push({ length: [...pattern].length, value });
  }

  private build(): void {
    const queue: number[] = [...this.goto[0]!.values()];
    while (queue.length) {
      const node = queue.shift()!;
      for (const [ch, child] of this.goto[node]!) {
        queue.push(child);
        let f = this.fail[node]!;
        while (f !== 0 && !this.goto[f]!.has(ch)) f = this.fail[f]!;
        const target = this.goto[f]!.get(ch);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        this.out[child]!.push(...this.out[this.fail[child]!]!);
      }
    }
  }

  /** Matches as [start, end) indexes into the array of code points of `chars`. */
  search(chars: string[]): Array<{ start: number; end: number; value: T }> {
    const found: Array<{ start: number; end: number; value: T }> = [];
    let node = 0;
    chars.forEach((ch, i) => {
      while (node !== 0 && !this.goto[node]!.has(ch)) node = this.fail[node]!;
      node = this.goto[node]!.get(ch) ?? 0;
      for (const o of this.out[node]!) found.push({ start: i + 1 - o.length, end: i + 1, value: o.value });
    });
    return found;
  }
}
