import type { Inspector, ItemMeta } from './model.ts';

/**
 * The inspector for a new item: among active inspectors covering the call's team (no teams: any
 * team), those skilled in its product if any are, the one with the fewest open items (ties: by
 * user id, so the choice is reproducible). Null when nobody covers the team.
 */
export function pickInspector(meta: Pick<ItemMeta, 'team' | 'product'>, inspectors: Inspector[], openLoad: (userId: string) => number): Inspector | null {
  const covering = inspectors.filter((i) => i.active && (i.teams.length === 0 || (meta.team !== undefined && i.teams.includes(meta.team))));
  const skilled = meta.product === undefined ? [] : covering.filter((i) => i.skills.includes(meta.product!));
  const pool = skilled.length > 0 ? skilled : covering;
  let best: Inspector | null = null;
  let bestLoad = Infinity;
  for (const i of [...pool].sort((a, b) => (a.userId < b.userId ? -1 : 1))) {
    const load = openLoad(i.userId);
    if (load < bestLoad) (best = i), (bestLoad = load);
  }
  return best;
}
