import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDebianVersions, debianVersionChange, parseDebianVersion } from './versions';

/** Orderings as `dpkg --compare-versions` reports them (checked against dpkg 1.21). */
const DPKG_ORDERINGS: [string, string, -1 | 0 | 1][] = [
  ['1.0~rc1', '1.0', -1],
  ['1.0', '1.0-0', 0],
  ['0:1.0', '1.0', 0],
  ['1:1.0', '2.0', 1],
  ['1.0-1', '1.0-1.1', -1],
  ['1.0+b1', '1.0', 1],
  ['1:9.2p1-2+deb12u5', '1:9.2p1-2+deb12u3', 1],
  ['2.36-9+deb12u10', '2.36-9+deb12u9', 1],
  ['1.0~~', '1.0~', -1],
  ['1.0~', '1.0', -1],
  ['1.0', '1.0a', -1],
  ['3.0.15-1~deb12u1', '3.0.15-1', -1],
  ['3.0.15-1~deb12u1', '3.0.11-1~deb12u2', 1],
  ['1.2.3', '1.2.10', -1],
  ['1.0.0', '1.0', 1],
  ['1.0a', '1.0+', -1],
  ['1.0+', '1.0.', -1],
  ['6.1.119-1', '6.1.115-1', 1],
  ['2:9.0.1378-2', '9.1.0', 1],
  ['252.33-1~deb12u1', '252.31-1~deb12u1', 1],
  ['1.22.1-9+deb12u1', '1.22.1-9', 1],
  ['20230311', '20240203~deb12u1', -1],
  ['2024b-0+deb12u1', '2024a-0+deb12u1', 1],
  ['1.9.13p3-1+deb12u1', '1.9.13p3-1', 1],
  ['1.9.13p3', '1.9.13', 1],
  ['7.88.1-10+deb12u8', '7.88.1-10+deb12u12', -1],
  ['0.0.0-0', '0', 1],
  ['1.0-a', '1.0-b', -1],
  ['1.001', '1.1', 0],
  ['10', '9', 1],
  ['1.0-1~bpo12+1', '1.0-1', -1],
  ['2.0~beta2', '2.0~beta10', -1],
];

describe('compareDebianVersions', () => {
  it.each(DPKG_ORDERINGS)('orders %s against %s as dpkg does (%i)', (a, b, expected) => {
    expect(Math.sign(compareDebianVersions(a, b))).toBe(expected);
    expect(Math.sign(compareDebianVersions(b, a))).toBe(expected === 0 ? 0 : -expected);
  });

  it('splits epoch, upstream and revision like dpkg (revision after the last hyphen)', () => {
    expect(parseDebianVersion('1:9.2p1-2+deb12u5')).toEqual({ epoch: 1, upstream: '9.2p1', revision: '2+deb12u5' });
    expect(parseDebianVersion('1.2-3-4')).toEqual({ epoch: 0, upstream: '1.2-3', revision: '4' });
    expect(parseDebianVersion('20230311')).toEqual({ epoch: 0, upstream: '20230311', revision: '' });
  });

  it('tells an upgrade from a downgrade', () => {
    expect(debianVersionChange('1:9.2p1-2+deb12u3', '1:9.2p1-2+deb12u5')).toBe('upgrade');
    expect(debianVersionChange('3.0.15-1~deb12u1', '3.0.11-1~deb12u2')).toBe('downgrade');
    expect(debianVersionChange('1.0', '0:1.0-0')).toBe('same');
  });

  const version = fc
    .tuple(
      fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      fc.stringMatching(/^[0-9][0-9a-z.+~]{0,6}$/),
      fc.option(fc.stringMatching(/^[0-9a-z.+~]{1,5}$/), { nil: undefined }),
    )
    .map(([epoch, upstream, revision]) => `${epoch === undefined ? '' : `${epoch}:`}${upstream}${revision === undefined ? '' : `-${revision}`}`);

  it('is a total order: antisymmetric and transitive', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(Math.sign(compareDebianVersions(a, b)) + Math.sign(compareDebianVersions(b, a))).toBe(0);
        if (compareDebianVersions(a, b) <= 0 && compareDebianVersions(b, c) <= 0) expect(compareDebianVersions(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('sorts a tilde suffix before the release and a plus suffix after it', () => {
    fc.assert(
      fc.property(version, fc.stringMatching(/^[a-z0-9]{1,4}$/), (v, suffix) => {
        expect(compareDebianVersions(`${v}~${suffix}`, v)).toBeLessThan(0);
        expect(compareDebianVersions(`${v}+${suffix}`, v)).toBeGreaterThan(0);
      }),
    );
  });
});
