// The pages of the app: one line each (URL path, title in the nav, component). Order = nav order.
// `#/` (the call list) and `#/calls/<id>` (call detail) are routed by App.svelte itself.
import type { Component } from 'svelte';
import { t } from '../lib/i18n.svelte.ts';
import Clusters from './Clusters.svelte';
import Compare from './Compare.svelte';
import HotTopics from './HotTopics.svelte';
import Overview from './Overview.svelte';
import RootCause from './RootCause.svelte';

export type PageProps = { params: Record<string, string> };
export type PageEntry = { path: string; title: () => string; component?: Component<PageProps> };

export const PAGES: PageEntry[] = [
  { path: '/overview', title: () => t('nav.overview'), component: Overview },
  { path: '/', title: () => t('nav.calls') },
  { path: '/compare', title: () => t('nav.compare'), component: Compare },
  { path: '/hot', title: () => t('nav.hot'), component: HotTopics },
  { path: '/clusters', title: () => t('nav.clusters'), component: Clusters },
  { path: '/root-cause', title: () => t('nav.rootCause'), component: RootCause },
];
