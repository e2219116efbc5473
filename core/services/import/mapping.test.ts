import { describe, expect, it } from 'vitest';
import { classifyGroupName, resolvePlacements, suggestMapping } from './mapping';
import { parseAnsibleIni } from './ansible-inventory';

describe('group names', () => {
  it('finds service, stage and role words', () => {
    expect(classifyGroupName('payments_web_prod')).toEqual({ service: 'payments', stage: 'production', role: 'web', restOnly: false });
    expect(classifyGroupName('payments-prod')).toEqual({ service: 'payments', stage: 'production', restOnly: false });
    expect(classifyGroupName('webservers')).toEqual({ role: 'web', restOnly: false });
    expect(classifyGroupName('stg')).toEqual({ stage: 'staging', restOnly: false });
    expect(classifyGroupName('shop_pre_prod_db')).toEqual({ service: 'shop', stage: 'staging', role: 'db', restOnly: false });
    expect(classifyGroupName('order_service_dev')).toEqual({ service: 'order-service', stage: 'integration', restOnly: false });
    expect(classifyGroupName('linux')).toEqual({ restOnly: false });
    expect(classifyGroupName('kafka')).toEqual({ role: 'kafka', restOnly: false });
    expect(classifyGroupName('payments')).toEqual({ service: 'payments', restOnly: true });
  });

  it('prefers the workspace: existing service names and their own stage names', () => {
    const known = [{ name: 'Payments-API', stages: ['dev', 'qa', 'prod'] }];
    expect(classifyGroupName('payments_api_prod', known)).toEqual({ service: 'Payments-API', stage: 'prod', restOnly: false });
    expect(classifyGroupName('payments_api_dev_web', known)).toEqual({ service: 'Payments-API', stage: 'dev', role: 'web', restOnly: false });
  });
});

describe('suggested mappings', () => {
  it('tells services from roles by nesting and by the other groups of their hosts', () => {
    const parsed = parseAnsibleIni(
      ['[payments_prod]', 'p1', '[ledger]', 'p1', '[kafka_cluster]', 'k1', '[erp:children]', 'erp_prod', '[erp_prod]', 'e1', '[eu]', 'p1'].join('\n'),
      'inv',
    );
    const { groups } = suggestMapping(parsed);
    expect(groups).toEqual({
      payments_prod: { service: 'payments', stage: 'production' },
      ledger: { role: 'ledger' }, // p1 gets its service from payments_prod
      'kafka_cluster': { service: 'kafka-cluster' }, // nothing else gives k1 a service
      erp: { service: 'erp' },
      erp_prod: { service: 'erp', stage: 'production' },
      eu: {},
    });
    const { placements, problems } = resolvePlacements(parsed, { groups });
    expect(placements.map(({ host, service, stage, role }) => `${host} ${service}/${stage}/${role}`)).toEqual(['p1 payments/production/ledger', 'e1 erp/production/app']);
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', host: 'k1', message: expect.stringMatching(/service "kafka-cluster" but none of its groups gives a stage/) })]);
  });

  it('reads a service "payments-api" when groups say so, not role api of payments', () => {
    const parsed = parseAnsibleIni('[payments_api_prod]\na1\n[payments_api_web_prod]\na2\n', 'inv');
    expect(suggestMapping(parsed).groups).toEqual({ payments_api_prod: { service: 'payments-api', stage: 'production' }, payments_api_web_prod: { service: 'payments-api', stage: 'production', role: 'web' } });
  });

  it('reports a host given two stages as an error, and stagecraft_* host variables override groups', () => {
    const parsed = parseAnsibleIni('[shop_prod]\ns1\ns2 stagecraft_stage=uat stagecraft_role=db\n[shop_uat]\ns1\n', 'inv');
    const { placements, problems } = resolvePlacements(parsed, suggestMapping(parsed));
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', host: 's1', message: expect.stringMatching(/different stages of service "shop": production \(from shop_prod\), uat \(from shop_uat\)/) })]);
    expect(placements).toEqual([expect.objectContaining({ host: 's2', service: 'shop', stage: 'uat', role: 'db' })]);
  });

  it('uses the default service and role of an edited mapping', () => {
    const parsed = parseAnsibleIni('[prod:children]\nweb\n[web]\nw1\n', 'inv');
    const mapping = suggestMapping(parsed);
    expect(mapping.groups).toEqual({ prod: { stage: 'production' }, web: { role: 'web' } });
    expect(resolvePlacements(parsed, mapping).placements).toEqual([]);
    expect(resolvePlacements(parsed, { ...mapping, defaultService: 'shop' }).placements).toEqual([{ host: 'w1', service: 'shop', stage: 'production', role: 'web', via: ['prod', 'web'] }]);
    expect(resolvePlacements(parsed, { groups: { web: { service: 'shop', stage: 'uat' } }, defaultRole: 'frontend' }).placements).toEqual([{ host: 'w1', service: 'shop', stage: 'uat', role: 'frontend', via: ['web'] }]);
  });
});
