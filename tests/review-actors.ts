import type { Actor } from '../api/actor.ts';

/** The review workflow's cast, scoped as a bank would scope them (dev calls' agents and teams). */
export const REVIEW_ACTORS = {
  qa: { userId: 'u-qa', name: '质检主管', role: 'qa_supervisor', scope: { kind: 'all' }, canUnmask: false },
  i1: { userId: 'u-i1', name: '质检员甲', role: 'qa_inspector', scope: { kind: 'all' }, canUnmask: false },
  i2: { userId: 'u-i2', name: '质检员乙', role: 'qa_inspector', scope: { kind: 'all' }, canUnmask: false },
  i3: { userId: 'u-i3', name: '质检员丙', role: 'qa_inspector', scope: { kind: 'all' }, canUnmask: false },
  agent: { userId: 'u-a9054', name: '孙悦', role: 'agent', scope: { kind: 'own', agentId: 'A9054' }, canUnmask: false },
  otherAgent: { userId: 'u-a5521', name: '黄志强', role: 'agent', scope: { kind: 'own', agentId: 'A5521' }, canUnmask: false },
  supervisor: { userId: 'u-sup1', name: '信用卡一组组长', role: 'supervisor', scope: { kind: 'team', team: '信用卡客服一组' }, canUnmask: false },
  otherSupervisor: { userId: 'u-sup2', name: '借记卡组组长', role: 'supervisor', scope: { kind: 'team', team: '借记卡服务组' }, canUnmask: false },
  analyst: { userId: 'u-analyst', name: '分析员', role: 'analyst', scope: { kind: 'all' }, canUnmask: false },
  admin: { userId: 'u-admin', name: '管理员', role: 'admin', scope: { kind: 'all' }, canUnmask: true },
} satisfies Record<string, Actor>;
export type ReviewActorName = keyof typeof REVIEW_ACTORS;
