import type { Me } from './api.ts';

const ROLE_NAMES: Record<Me['role'], string> = {
  admin: '管理员',
  qa_supervisor: '质检主管',
  qa_inspector: '质检员',
  supervisor: '班组长',
  analyst: '分析员',
  agent: '坐席',
  trainer: '培训师',
};

/** The Chinese name of a user's role (the speaker roles of a call are roleLabel in format.ts). */
export function roleName(role: Me['role']): string {
  return ROLE_NAMES[role] ?? role;
}
