import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { PromotionPlan } from '../domain/promotion-plan';
import { buildCabPack, DIFF_LINES_SHOWN, foldDiff, planView, TARGET_ITEMS_SHOWN, type CabChangeInput, type ReportMeta } from './cab-model';
import { csvField, renderCabCsv, renderDriftCsv } from './csv';
import { DRIFT_ITEMS_PRINTED, type DriftReportModel } from './drift-model';
import { cssString, escapeHtml } from './format';
import { renderCabHtml, renderDriftHtml } from './html';
import { escapeMarkdown, renderCabMarkdown, renderDriftMarkdown } from './markdown';

const HOSTILE = `Fix "payments", then <script>alert('x')</script> & =HYPERLINK("http://evil.invalid")\nsecond line, with comma`;

const meta: ReportMeta = { workspace: 'Team <b>ops</b>', generatedAt: '2026-11-26T20:00:00.000Z', generatedBy: 'alice', stagecraftVersion: 'test', audit: { entries: 3, head: 'ab'.repeat(32), intact: true, problem: null } };

const lines = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix} line ${i + 1}`).join('\n') + '\n';

const plan: PromotionPlan = {
  image: 'v2',
  hosts: ['web-01', 'web-02', 'web-03'].map((host) => ({
    host,
    role: 'web',
    rebootNeeded: false,
    steps: [
      { kind: 'package', action: 'upgrade', manager: 'dpkg', name: 'openssl', arch: 'amd64', from: '3.0.1', to: '3.0.2', severity: 'high' },
      { kind: 'file', action: 'write', path: '/etc/nginx/nginx.conf', mode: '0644', owner: 'root', group: 'root', previous: lines(300, 'old'), content: lines(300, 'new'), severity: 'medium' },
      { kind: 'service', action: 'restart', name: 'nginx.service', because: '/etc/nginx/nginx.conf changed', severity: 'medium' },
    ],
  })),
  unscanned: ['web-04'],
  summary: { hostsAffected: 3, steps: 9, byKind: { package: 3, file: 3, service: 3 }, highSeverity: 3, rebootNeeded: 0 },
};

function change(id: number, title: string, earliestAt: string): CabChangeInput {
  const items = Array.from({ length: TARGET_ITEMS_SHOWN + 5 }, (_, i) => ({ category: 'packages' as const, key: `dpkg:pkg${i}:amd64`, kind: 'changed' as const, expected: '1', actual: '2', severity: i % 2 ? ('low' as const) : ('high' as const), hosts: ['web-01'], role: 'web' }));
  return {
    id,
    title,
    state: 'submitted',
    service: 'payments-api',
    fromStage: 'uat',
    targetStage: 'production',
    targetIsProduction: true,
    targetHosts: ['web-04', 'web-03', 'web-02', 'web-01'],
    image: 'v2',
    earliestAt,
    requester: 'alice',
    createdAt: '2026-11-20T10:00:00.000Z',
    risk: { score: 62, level: 'high', factors: [{ name: 'production', points: 30, why: 'The target is production.' }] },
    verdict: { allowed: true, refusedOutright: false, rules: [{ rule: 'edge', status: 'passed', reason: 'uat promotes to production.' }], earliestAt },
    acknowledgedDrift: false,
    plan,
    target: {
      stage: 'production',
      hosts: 4,
      snapshotted: 3,
      againstProduction: { compared: 100, matching: 90, parity: 0.9, severity: { high: 15, medium: 0, low: 15 } },
      againstImage: null,
      parityWhenPlanned: 0.91,
      comparedWith: 'production',
      items,
    },
    control: null,
  };
}

describe('the CAB pack model', () => {
  it('folds a long diff to the first lines and totals of the rest', () => {
    const diff = foldDiff(lines(300, 'old'), lines(300, 'new'))!;
    expect(diff).toMatchObject({ added: 300, removed: 300 });
    expect(diff.lines.length).toBe(DIFF_LINES_SHOWN);
    const shownChanges = diff.lines.filter((l) => l.kind === 'added' || l.kind === 'removed').length;
    expect(shownChanges + diff.hiddenLines).toBe(600);
  });

  it('says what a diff without lines means', () => {
    expect(foldDiff(null, 'a\n')!.note).toBe('New file.');
    expect(foldDiff('a\n', undefined)!.note).toBe('The file is removed.');
    expect(foldDiff('a\n', 'a\n')!.note).toBe('Only the owner or mode changes.');
    expect(foldDiff('a', 'a\n')!.note).toBe('Only the final newline changes.');
  });

  it('shows hosts with identical steps once', () => {
    const view = planView(plan);
    expect(view.groups).toHaveLength(1);
    expect(view.groups[0]!.hosts).toEqual(['web-01', 'web-02', 'web-03']);
  });

  it('orders the agenda by when changes may happen, lists the worst drift first and counts the rest', () => {
    const pack = buildCabPack(meta, 'Changes #1, #2', [change(1, 'later', '2026-12-02T10:00:00.000Z'), change(2, 'sooner', '2026-12-01T10:00:00.000Z')]);
    expect(pack.cover.agenda.map((a) => a.changeId)).toEqual([2, 1]);
    expect(pack.changes[0]!.target.items).toHaveLength(TARGET_ITEMS_SHOWN);
    expect(pack.changes[0]!.target.items[0]!.severity).toBe('high');
    expect(pack.changes[0]!.target.moreItems).toBe(5);
    expect(pack.changes[0]!.affected.hosts).toEqual(['web-01', 'web-02', 'web-03', 'web-04']);
  });
});

describe('report renderers', () => {
  const pack = buildCabPack(meta, 'Changes #7, #8', [change(7, HOSTILE, '2026-12-01T10:00:00.000Z'), change(8, 'Plain title', '2026-12-02T10:00:00.000Z')]);

  it('HTML escapes every text, runs no script and loads nothing from outside', () => {
    const html = renderCabHtml(pack);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    expect(html).not.toContain('<b>ops</b>');
    // The only URL in the page is the escaped text of the hostile title; every link is to an anchor of the page.
    const outsideTitle = html.replaceAll(escapeHtml(HOSTILE.split('\n')[0]!), '');
    expect(outsideTitle).not.toMatch(/https?:|\/\/|url\(|@import|<(link|img|iframe|object|embed|base|form)\b/i);
    const links = [...html.matchAll(/\b(src|href|action|srcset|poster)\s*=\s*"([^"]*)"/gi)].map((m) => m[2]!);
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((l) => l.startsWith('#'))).toBe(true);
    expect(html).toContain('content="default-src &#39;none&#39;;');
    expect(html).toContain('folded: ');
  });

  it('CSS strings in the page margins cannot close the style element', () => {
    expect(cssString('a"</style><script>\n').slice(1, -1)).not.toMatch(/[<>"\n]/);
    expect(cssString('x')).toBe('"x"');
  });

  it('Markdown escapes markup and keeps table rows on one line', () => {
    const md = renderCabMarkdown(pack);
    expect(md).not.toContain('<script>');
    expect(escapeMarkdown('a|b\nc <i>')).toBe('a\\|b c \\<i\\>');
    expect(escapeMarkdown('# not a heading, [not](a link) *or* `code` & co')).toBe('\\# not a heading, \\[not\\](a link) \\*or\\* \\`code\\` &amp; co');
    expect(escapeMarkdown('1. not a list')).toBe('1\\. not a list');
    const summaryRow = md.split('\n').find((l) => l.startsWith('| #7 |'))!;
    expect(summaryRow).toContain('\\<script\\>');
    expect(summaryRow).toContain('second line, with comma | payments-api | production |');
  });

  it('CSV is RFC 4180: a standard parser reads one row per change, with commas, quotes and newlines intact', () => {
    const csv = renderCabCsv(pack);
    expect(csv.endsWith('\r\n')).toBe(true);
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(2);
    expect(records[0]!['title']).toBe(HOSTILE);
    expect(records[0]!['risk_level']).toBe('high');
    expect(records[1]!['id']).toBe('8');
    expect(records[0]!['audit_head']).toBe(meta.audit.head);
  });

  it('CSV cells that a spreadsheet would run as formulas are defused; numbers are not', () => {
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField('-5')).toBe('-5');
    expect(csvField(42)).toBe('42');
    expect(csvField('a "b"')).toBe('"a ""b"""');
    expect(csvField('a,"b"')).toBe('"a,""b"""');
  });

  it('escapes HTML special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('drift reports', () => {
  const parity = { compared: 1000, matching: 690, parity: 0.69, severity: { high: 0, medium: 310, low: 0 } };
  const items = Array.from({ length: DRIFT_ITEMS_PRINTED + 10 }, (_, i) => ({ category: 'sysctl' as const, key: `net.k${i}`, kind: 'changed' as const, expected: '1', actual: '2', severity: 'medium' as const, hosts: ['web-01', 'web-02'], role: 'web' }));
  const report: DriftReportModel = {
    format: 'stagecraft-drift-report',
    version: 1,
    meta,
    scope: 'Every service, every stage',
    services: [{ name: 'shop', parity, stages: [{ name: 'staging', isProduction: false, hosts: 2, snapshotted: 2, image: null, againstProduction: parity, againstImage: null, comparedWith: 'production', items }] }],
  };

  it('prints a bounded number of facts per stage and says where the rest are; CSV keeps every one', () => {
    expect(renderDriftHtml(report)).toContain('… and 10 more differing facts: the CSV and JSON exports list every one.');
    expect(renderDriftMarkdown(report)).toContain('… and 10 more differing facts');
    const rows = parse(renderDriftCsv(report), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(DRIFT_ITEMS_PRINTED + 10);
    expect(rows[0]).toMatchObject({ service: 'shop', stage: 'staging', parity: '69.0 %', fact: 'net.k0', expected: '1', actual: '2', hosts_affected: 'web: web-01, web-02' });
  });
});

describe('report wording', () => {
  it('writes windows in the zone they were planned in, short in tables', async () => {
    const { formatWindow, formatWindowShort } = await import('./format');
    const evening = { start: '2026-11-28T21:00:00.000Z', end: '2026-11-28T22:30:00.000Z', timeZone: 'Europe/Berlin' };
    expect(formatWindowShort(evening)).toBe('2026-11-28 22:00–23:30 Europe/Berlin');
    expect(formatWindowShort({ ...evening, end: '2026-11-28T23:30:00.000Z' })).toBe('2026-11-28 22:00–11-29 00:30 Europe/Berlin');
    expect(formatWindow(evening)).toBe('2026-11-28 22:00 Europe/Berlin → 2026-11-28 23:30 Europe/Berlin (2026-11-28 21:00 UTC → 2026-11-28 22:30 UTC)');
    // across the autumn clock change: 01:30 CEST and 02:30 CET are two hours apart
    expect(formatWindowShort({ start: '2026-10-24T23:30:00.000Z', end: '2026-10-25T01:30:00.000Z', timeZone: 'Europe/Berlin' })).toBe('2026-10-25 01:30–02:30 Europe/Berlin');
  });
});
