import { describe, expect, it } from 'vitest';
import type { HostIdentity } from './facts';
import { applySubstitutions, renderPlaceholders, substitutionsFor } from './placeholders';

const host: HostIdentity = {
  hostname: 'web-01',
  fqdn: 'web-01.prod.example.com',
  machineId: '4f0c5c2e4f2b4d0e9a51c2b0c0ffee01',
  addresses: ['10.20.1.11', '127.0.0.1', 'fe80::5054:ff:fe01:1'],
  macs: ['52:54:00:01:00:01', '00:00:00:00:00:00'],
};

describe('identity placeholders', () => {
  const substitutions = substitutionsFor(host);

  it('replaces the fqdn before the hostname inside it, and only whole tokens', () => {
    const text = 'ServerName web-01.prod.example.com\nalias web-01 web-01-backup xweb-01\nlisten 10.20.1.11:80; not 10.20.1.110\n';
    expect(applySubstitutions(text, substitutions)).toBe(
      'ServerName {{fqdn}}\nalias {{hostname}} web-01-backup xweb-01\nlisten {{ip}}:80; not 10.20.1.110\n',
    );
  });

  it('leaves loopback addresses and the all-zero MAC alone: they are everyone’s', () => {
    expect(applySubstitutions('127.0.0.1 localhost 00:00:00:00:00:00', substitutions)).toBe('127.0.0.1 localhost 00:00:00:00:00:00');
    expect(applySubstitutions('hwaddr 52:54:00:01:00:01 / 52:54:00:01:00:01'.toUpperCase(), substitutions)).toBe('HWADDR {{mac}} / {{mac}}');
  });

  it('returns the very same string when nothing is host-specific', () => {
    const text = 'worker_processes auto;\n';
    expect(applySubstitutions(text, substitutions)).toBe(text);
  });

  it('skips values too short to be told from ordinary words', () => {
    expect(substitutionsFor({ hostname: 'db', addresses: [], macs: [] })).toEqual([]);
  });

  it('renders placeholders back for a host', () => {
    const template = 'ServerName {{fqdn}}\nid {{machine-id}} at {{ip}} ({{mac}}) {{unknown}}\n';
    expect(renderPlaceholders(template, host)).toBe(
      'ServerName web-01.prod.example.com\nid 4f0c5c2e4f2b4d0e9a51c2b0c0ffee01 at 10.20.1.11 (52:54:00:01:00:01) {{unknown}}\n',
    );
    const text = 'name web-01 in web-01.prod.example.com at 10.20.1.11\n';
    expect(renderPlaceholders(applySubstitutions(text, substitutions), host)).toBe(text);
  });
});
