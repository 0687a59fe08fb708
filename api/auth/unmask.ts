import type { Context } from 'hono';
import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import type { ApiEnv, AuditLog } from '../actor.ts';
import { clientIp } from './middleware.ts';

/** `?raw=1` (or true) asks for unmasked text or audio; absent or 0 is the masked default. */
export const RawParam = z.enum(['0', '1', 'true', 'false']).optional().transform((v) => v === '1' || v === 'true');

/**
 * Allows raw (unmasked) text or audio of a call only to users granted the unmask right, and writes
 * every use — and every refused attempt — to the audit log.
 */
export function authorizeUnmask(c: Context<ApiEnv>, audit: AuditLog, what: 'text' | 'audio', callId: string): void {
  const actor = c.get('actor');
  if (!actor.canUnmask) {
    audit.append({ actor: actor.userId, action: 'unmask.denied', target: callId, ip: clientIp(c), details: { what, role: actor.role } });
    throw new CallScopeError('FORBIDDEN', '无权查看未脱敏内容 (you may not see unmasked text or audio)');
  }
  audit.append({ actor: actor.userId, action: `unmask.${what}`, target: callId, ip: clientIp(c), details: { role: actor.role } });
}
