// The Grafana dashboards under dashboards/, statically: they load by file provisioning as
// they are (a datasource variable, no __inputs), every query names the datasource variable,
// and every metric and label a query uses is documented in docs/metrics.md, so a renamed
// metric breaks this test. test/lab/monitoring.lab.ts runs every query against a real
// Prometheus scraping the agent in the lab.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  BUILTIN_VARIABLES,
  DATASOURCE,
  documentedMetrics,
  exprNames,
  interpolate,
  isQueryless,
  labelsAvailable,
  loadDashboards,
  METRICS_DOC,
  panelsOf,
  parseLabelValues,
  queriesOf,
  referencedVariables,
  variableQuery,
  variablesOf,
  type Dashboard,
  type DashboardFile,
} from '../lab/dashboards.js';
import { DASHBOARDS } from '../../agent/outputs/status-page.js';
import { promtoolPath } from '../support/metrics.js';

const PROVISIONING = join(import.meta.dirname, '..', '..', '..', 'deploy', 'grafana', 'provisioning');

const EXPECTED_UIDS = ['adtrust-accounts', 'adtrust-dns', 'adtrust-overview', 'adtrust-ports', 'adtrust-trusts'];

const dashboards: DashboardFile[] = loadDashboards();
const documented = documentedMetrics(readFileSync(METRICS_DOC, 'utf8'));

function isDatasourceVariable(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { type, uid, ...rest } = value as Record<string, unknown>;
  return type === DATASOURCE.type && uid === DATASOURCE.uid && Object.keys(rest).length === 0;
}

/** Every `datasource` value anywhere in the JSON, with where it is. */
function datasourceValues(
  value: unknown,
  path: string,
  out: { path: string; value: unknown }[] = [],
): { path: string; value: unknown }[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => datasourceValues(item, `${path}[${String(i)}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'datasource') out.push({ path: `${path}.${key}`, value: item });
      datasourceValues(item, `${path}.${key}`, out);
    }
  }
  return out;
}

/** Every PromQL expression of a dashboard: panel targets and the selectors of label_values() variables. */
function expressions(dashboard: Dashboard): { where: string; expr: string }[] {
  const fromPanels = queriesOf(dashboard).map((query) => ({
    where: `${dashboard.uid} / ${query.panel} / ${query.refId}`,
    expr: query.expr,
  }));
  const fromVariables = variablesOf(dashboard)
    .filter((variable) => variable.type === 'query')
    .flatMap((variable) => {
      const { selector } = parseLabelValues(variableQuery(variable));
      return selector === undefined ? [] : [{ where: `${dashboard.uid} / variable ${variable.name}`, expr: selector }];
    });
  return [...fromPanels, ...fromVariables];
}

describe('docs/metrics.md, as the test reads it', () => {
  it('documents the metrics and their labels', () => {
    assert.ok(documented.size >= 25, `only ${String(documented.size)} metrics parsed from docs/metrics.md`);
    assert.deepEqual([...(documented.get('adtrust_port_up') ?? [])].sort(), [
      'partner_domain',
      'port',
      'target',
      'transport',
    ]);
    // The series budget's table names metrics without backticks, so it documents no labels.
    assert.equal(documented.get('adtrust_port_state'), undefined);
    assert.deepEqual([...(documented.get('adtrust_dns_lookup_duration_seconds') ?? [])].sort(), [
      'partner_domain',
      'record',
      'server',
      'transport',
    ]);
    assert.deepEqual([...(documented.get('adtrust_config_last_reload_successful') ?? ['?'])], []);
  });
});

describe('dashboards', () => {
  it('are the five expected ones, each with a unique uid and title', () => {
    assert.deepEqual(dashboards.map((d) => d.dashboard.uid).sort(), EXPECTED_UIDS);
    assert.equal(
      new Set(dashboards.map((d) => d.dashboard.title)).size,
      dashboards.length,
      'two dashboards share a title',
    );
  });

  it("are named on the agent's status page by their real titles", () => {
    assert.deepEqual([...DASHBOARDS].sort(), dashboards.map((d) => d.dashboard.title).sort());
  });

  for (const { file, text, dashboard } of dashboards) {
    describe(`dashboards/${file} (${dashboard.uid})`, () => {
      it('loads by file provisioning as is: no __inputs, no __requires, no ${DS_...} placeholder', () => {
        assert.equal(dashboard.__inputs, undefined);
        assert.equal(dashboard.__requires, undefined);
        assert.ok(!text.includes('${DS_'), 'an exported datasource placeholder ${DS_...} is left');
        assert.ok((dashboard.schemaVersion ?? 0) >= 36, `schemaVersion ${String(dashboard.schemaVersion)}`);
        assert.ok(dashboard.tags?.includes('adtrust'), 'tag adtrust');
        assert.equal(file, `${dashboard.uid.replace(/^adtrust-/, '')}.json`, 'the file is named after the uid');
      });

      it('has the datasource variable (type datasource, query prometheus)', () => {
        const variable = variablesOf(dashboard).find((v) => v.name === 'datasource');
        assert.ok(variable, 'no variable named datasource');
        assert.equal(variable.type, 'datasource');
        assert.equal(variable.query, 'prometheus');
      });

      it('every panel, target and query variable uses the datasource variable, and no other datasource appears', () => {
        const panels = panelsOf(dashboard);
        assert.ok(panels.length > 0, 'no panels');
        for (const panel of panels) {
          if (isQueryless(panel)) continue;
          const title = panel.title ?? String(panel.id);
          assert.ok(
            isDatasourceVariable(panel.datasource),
            `panel "${title}": datasource ${JSON.stringify(panel.datasource)}`,
          );
          assert.ok((panel.targets ?? []).length > 0, `panel "${title}" has no query`);
          for (const target of panel.targets ?? []) {
            assert.ok(
              isDatasourceVariable(target.datasource),
              `panel "${title}" target ${String(target.refId)}: datasource ${JSON.stringify(target.datasource)}`,
            );
            assert.ok((target.expr ?? '').trim() !== '', `panel "${title}" target ${String(target.refId)}: empty expr`);
          }
          const refIds = (panel.targets ?? []).map((target) => target.refId);
          assert.equal(new Set(refIds).size, refIds.length, `panel "${title}": duplicate refId`);
        }
        for (const variable of variablesOf(dashboard).filter((v) => v.type === 'query')) {
          assert.ok(
            isDatasourceVariable(variable.datasource),
            `variable ${variable.name}: datasource ${JSON.stringify(variable.datasource)}`,
          );
        }
        // Anything else naming a datasource: only Grafana's built-in annotation source.
        for (const { path, value } of datasourceValues(dashboard, '$')) {
          const builtin =
            JSON.stringify(value) === JSON.stringify({ type: 'grafana', uid: '-- Grafana --' }) &&
            path.startsWith('$.annotations');
          assert.ok(isDatasourceVariable(value) || builtin, `${path}: datasource ${JSON.stringify(value)}`);
        }
      });

      it('query variables are label_values() with All allowed; every variable a query uses is defined', () => {
        const variables = variablesOf(dashboard);
        const names = new Set([...variables.map((v) => v.name), ...BUILTIN_VARIABLES]);
        for (const variable of variables.filter((v) => v.type === 'query')) {
          parseLabelValues(variableQuery(variable));
          assert.equal(variable.includeAll, true, `variable ${variable.name}: All not allowed`);
        }
        for (const { where, expr } of expressions(dashboard)) {
          for (const name of referencedVariables(expr))
            assert.ok(names.has(name), `${where}: $${name} is not a variable of the dashboard`);
        }
      });

      it('every metric a query uses is documented in docs/metrics.md, and so is every label it filters, groups or shows by', () => {
        for (const { where, expr } of expressions(dashboard)) {
          const names = exprNames(expr);
          const metrics = names.selectors.map((s) => s.metric);
          assert.ok(metrics.length > 0 && metrics.every((m) => m !== ''), `${where}: no metric name found in ${expr}`);
          const available = labelsAvailable(expr, documented);
          for (const selector of names.selectors) {
            const labels = documented.get(selector.metric);
            assert.ok(labels, `${where}: metric ${selector.metric} is not documented in docs/metrics.md (${expr})`);
            for (const label of selector.labels) {
              assert.ok(
                labels.has(label) || label === 'job' || label === 'instance',
                `${where}: ${selector.metric} has no documented label ${label} (${expr})`,
              );
            }
          }
          for (const label of names.groupingLabels)
            assert.ok(
              available.has(label),
              `${where}: label ${label} in a by/on list is not a documented label of ${metrics.join(', ')}`,
            );
        }
        for (const query of queriesOf(dashboard)) {
          const available = labelsAvailable(query.expr, documented);
          for (const match of (query.legendFormat ?? '').matchAll(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g)) {
            assert.ok(
              available.has(match[1] ?? ''),
              `${dashboard.uid} / ${query.panel}: legend label ${String(match[1])} is not a label of ${query.expr}`,
            );
          }
        }
      });

      it('links to the other adtrust dashboards; every /d/<uid> link exists', () => {
        assert.ok(
          dashboard.links?.some((link) => link.type === 'dashboards' && link.tags?.includes('adtrust')),
          'no dashboard link by the tag adtrust',
        );
        for (const panel of panelsOf(dashboard)) {
          for (const link of panel.links ?? []) {
            const uid = /\/d\/([^/?]+)/.exec(link.url ?? '')?.[1];
            assert.ok(
              uid !== undefined && EXPECTED_UIDS.includes(uid),
              `panel "${String(panel.title)}" links to ${String(link.url)}`,
            );
          }
        }
      });

      it('panels fit the 24-column grid and do not overlap', () => {
        const boxes = panelsOf(dashboard).map((panel) => ({
          title: panel.title ?? String(panel.id),
          ...(panel.gridPos ?? { x: -1, y: -1, w: 0, h: 0 }),
        }));
        for (const box of boxes)
          assert.ok(
            box.x >= 0 && box.w > 0 && box.h > 0 && box.x + box.w <= 24,
            `panel "${box.title}": gridPos ${JSON.stringify(box)}`,
          );
        for (const [i, a] of boxes.entries()) {
          for (const b of boxes.slice(i + 1)) {
            const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
            assert.ok(!overlap, `panels "${a.title}" and "${b.title}" overlap`);
          }
        }
      });
    });
  }

  // The auth family answers the product's main question: the overview shows it first, right
  // under the headline stats, and the trusts dashboard shows it over time.
  it('overview: authentication across each trust direction (success, duration, referral etype) comes first', () => {
    const overview = dashboards.find((d) => d.dashboard.uid === 'adtrust-overview')?.dashboard;
    assert.ok(overview);
    const panels = panelsOf(overview);
    const using = (metric: string) =>
      panels.filter((panel) => (panel.targets ?? []).some((target) => (target.expr ?? '').includes(metric)));
    const auth = ['adtrust_auth_success', 'adtrust_auth_duration_seconds', 'adtrust_auth_referral_encryption_type'].map(
      (metric) => {
        const [panel, ...more] = using(metric);
        assert.ok(panel, `no panel of adtrust-overview shows ${metric}`);
        assert.equal(more.length, 0, `${metric} is on several panels`);
        return panel;
      },
    );
    const lowest = Math.max(...auth.map((panel) => panel.gridPos?.y ?? Infinity));
    for (const panel of panels.filter((p) => !auth.includes(p) && p.type !== 'stat'))
      assert.ok(
        (panel.gridPos?.y ?? 0) > lowest,
        `panel "${String(panel.title)}" is not below the authentication panels`,
      );
    // Each direction is a row (from) and a column (to), as in the trust paths table.
    for (const panel of [auth[0], auth[2]]) {
      const text = JSON.stringify(panel);
      assert.ok(text.includes('"rowField":"from_domain"') && text.includes('"columnField":"to_domain"'), panel?.title);
    }
    // Kerberos and NTLM fail for different reasons: one matrix per protocol, one time line per protocol.
    assert.equal(
      (auth[0] as { repeat?: string }).repeat,
      'protocol',
      'the success matrix is not repeated per protocol',
    );
    assert.match(auth[0]?.targets?.[0]?.expr ?? '', /protocol=~"\$protocol"/);
    assert.match(auth[1]?.targets?.[0]?.legendFormat ?? '', /\{\{protocol\}\}/);
    // The encryption types by name, RC4 not green: what AdtrustTrustReferralRc4 warns of.
    const mappings = JSON.stringify((auth[2] as { fieldConfig?: { defaults?: { mappings?: unknown } } }).fieldConfig);
    for (const etype of ['"17":{"text":"aes128"', '"18":{"text":"aes256"', '"23":{"text":"RC4","color":"orange"'])
      assert.ok(mappings.includes(etype), `referral etype mapping lacks ${etype}`);
  });

  it('trusts: authentication per trust direction over time, filtered by the dashboard variables', () => {
    const trusts = dashboards.find((d) => d.dashboard.uid === 'adtrust-trusts')?.dashboard;
    assert.ok(trusts);
    const exprs = queriesOf(trusts).map((query) => query.expr);
    for (const metric of ['adtrust_auth_success', 'adtrust_auth_duration_seconds']) {
      const expr = exprs.find((e) => e.includes(metric));
      assert.ok(expr, `no query of adtrust-trusts uses ${metric}`);
      assert.match(expr, /from_domain=~"\$domain", to_domain=~"\$partner_domain", protocol=~"\$protocol"/);
    }
    // One line per direction and protocol: a failing NTLM is not hidden by a working Kerberos.
    for (const query of queriesOf(trusts).filter((q) => q.expr.includes('adtrust_auth_')))
      assert.match(query.legendFormat ?? '', /\{\{protocol\}\}/, query.panel);
  });

  // Every expression, its variables filled in as Grafana would for "All", through promtool's
  // PromQL parser (as recording rules). Where promtool is not installed this one skips.
  const promtool = promtoolPath();
  it(
    'every expression is valid PromQL (promtool check rules)',
    { skip: promtool === undefined ? 'promtool is not installed' : false },
    () => {
      if (promtool === undefined) return;
      const values: Record<string, string> = {
        __rate_interval: '1m',
        __interval: '15s',
        __range: '1h',
        __range_s: '3600',
        __interval_ms: '15000',
      };
      const rules: string[] = [];
      for (const { dashboard } of dashboards) {
        for (const variable of variablesOf(dashboard)) values[variable.name] = '.*';
        for (const { where, expr } of expressions(dashboard)) {
          rules.push(
            `      # ${where.replace(/\n/g, ' ')}\n      - record: adtrust_dashboard:query${String(rules.length)}\n        expr: ${JSON.stringify(interpolate(expr, values))}`,
          );
        }
      }
      const dir = mkdtempSync(join(tmpdir(), 'adtrust-dashboards-'));
      try {
        const file = join(dir, 'queries.yml');
        writeFileSync(file, `groups:\n  - name: dashboards\n    rules:\n${rules.join('\n')}\n`);
        try {
          execFileSync(promtool, ['check', 'rules', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        } catch (error) {
          const failed = error as { stdout?: string; stderr?: string };
          assert.fail(`promtool rejects a dashboard query:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('deploy/grafana/provisioning', () => {
  it('a file provider for the folder "AD trusts", and an example Prometheus datasource with uid prometheus', () => {
    const dashboardsYaml = parse(readFileSync(join(PROVISIONING, 'dashboards', 'adtrust.yml'), 'utf8')) as {
      apiVersion: number;
      providers: { type: string; folder: string; options: { path: string } }[];
    };
    assert.equal(dashboardsYaml.apiVersion, 1);
    const provider = dashboardsYaml.providers[0];
    assert.equal(provider?.type, 'file');
    assert.equal(provider.folder, 'AD trusts');
    assert.equal(provider.options.path, '/var/lib/grafana/dashboards/adtrust');
    const readme = readFileSync(join(PROVISIONING, '..', 'README.md'), 'utf8');
    assert.ok(
      readme.includes(provider.options.path),
      'deploy/grafana/README.md installs the dashboards elsewhere than the provider reads them',
    );

    const datasourcesYaml = parse(readFileSync(join(PROVISIONING, 'datasources', 'prometheus.yml'), 'utf8')) as {
      apiVersion: number;
      datasources: { type: string; uid: string; url: string }[];
    };
    assert.equal(datasourcesYaml.apiVersion, 1);
    assert.equal(datasourcesYaml.datasources[0]?.type, 'prometheus');
    assert.equal(datasourcesYaml.datasources[0].uid, 'prometheus');
  });
});
