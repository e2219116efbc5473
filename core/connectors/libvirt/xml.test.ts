import { describe, expect, it } from 'vitest';
import { parsePrettySize, parseVolumeTable, scaledBytes } from './parse';
import { child, childText, parseXml, serializeXml, XmlError } from './xml';

describe('the small XML reader', () => {
  it('reads elements, both quotes, entities, CDATA and comments', () => {
    const root = parseXml(`<?xml version="1.0"?>\n<!-- c --><domain type='kvm' id="3"><name>a &amp; b &#x41;&#66;</name><x><![CDATA[<raw>]]></x><e/></domain>`);
    expect(root.attrs).toEqual({ type: 'kvm', id: '3' });
    expect(childText(root, 'name')).toBe('a & b AB');
    expect(childText(root, 'x')).toBe('<raw>');
    expect(child(root, 'e')).toEqual({ name: 'e', attrs: {}, children: [] });
  });

  it('refuses DOCTYPE, unknown entities, mismatched and unclosed tags', () => {
    for (const bad of ['<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', '<x>&nbsp;</x>', '<x><y></x>', '<x>', '<x a="1" a="2"/>', '<x/><y/>', 'text']) {
      expect(() => parseXml(bad), bad).toThrow(XmlError);
    }
  });

  it('writes back what it read, escaping what must be', () => {
    const root = parseXml(`<d n="it's &quot;q&quot;"><t>1 &lt; 2 &amp; 3</t></d>`);
    expect(parseXml(serializeXml(root))).toEqual(root);
  });
});

describe('virsh values', () => {
  it('scales libvirt units and virsh pretty sizes', () => {
    expect(scaledBytes(parseXml("<memory unit='KiB'>4194304</memory>"), 'KiB')).toBe(4 * 1024 ** 3);
    expect(scaledBytes(parseXml('<memory>1024</memory>'), 'KiB')).toBe(1024 * 1024);
    expect(parsePrettySize('7.50 GiB')).toBe(7.5 * 1024 ** 3);
    expect(parsePrettySize('0.00 B')).toBe(0);
    expect(parsePrettySize('n/a')).toBeNull();
  });

  it('cuts vol-list --details at the header offsets, so names with spaces survive', () => {
    const table = [
      ' Name                   Path                                  Type   Capacity     Allocation',
      '----------------------------------------------------------------------------------------------',
      ' db legacy data.qcow2   /var/lib/images/db legacy data.qcow2  file   200.00 GiB   30.00 GiB',
      ' a.img                  /var/lib/images/a.img                 file   1.00 MiB     512.00 KiB',
      '',
    ].join('\n');
    expect(parseVolumeTable(table, 'vol-list')).toEqual([
      { name: 'db legacy data.qcow2', path: '/var/lib/images/db legacy data.qcow2', type: 'file', capacityBytes: 200 * 1024 ** 3, allocationBytes: 30 * 1024 ** 3 },
      { name: 'a.img', path: '/var/lib/images/a.img', type: 'file', capacityBytes: 1024 ** 2, allocationBytes: 512 * 1024 },
    ]);
    expect(parseVolumeTable('\n', 'vol-list')).toEqual([]);
    expect(() => parseVolumeTable('garbage', 'vol-list')).toThrow(/header/);
  });
});
