import type { AuditEventInput, AuditLog } from '../api/actor.ts';

/** An AuditLog kept in memory: the review tests assert what was recorded (the hash-chained log has its own tests). */
export class MemoryAuditLog implements AuditLog {
  readonly events: AuditEventInput[] = [];
  append(event: AuditEventInput): void {
    this.events.push(structuredClone(event));
  }
  actions(): string[] {
    return this.events.map((e) => e.action);
  }
}
