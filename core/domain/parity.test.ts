import { describe, expect, it } from 'vitest';
import { combineParity, environmentParity, formatParity, parityRatio, serviceParity, severityCounts, summariseParity } from './parity';

describe('parity', () => {
  it('is matching over compared, and 100 % when nothing was compared', () => {
    expect(parityRatio(200, 150)).toBe(0.75);
    expect(parityRatio(0, 0)).toBe(1);
  });

  it('counts drift items by severity', () => {
    expect(severityCounts([{ severity: 'high' }, { severity: 'low' }, { severity: 'high' }])).toEqual({ high: 2, medium: 0, low: 1 });
  });

  it('weights environments and services by compared facts', () => {
    const small = summariseParity({ compared: 10, matching: 0, items: [{ severity: 'high' }] });
    const large = summariseParity({ compared: 990, matching: 990, items: [] });
    expect(combineParity([small, large])).toEqual({ compared: 1000, matching: 990, parity: 0.99, severity: { high: 1, medium: 0, low: 0 } });
    expect(environmentParity([{ compared: 4, matching: 3, items: [{ severity: 'medium' }] }]).parity).toBe(0.75);
    expect(serviceParity([])).toEqual({ compared: 0, matching: 0, parity: 1, severity: { high: 0, medium: 0, low: 0 } });
  });

  it('never shows 100 % unless nothing drifts', () => {
    expect(formatParity(1)).toBe('100 %');
    expect(formatParity(9_999_999 / 10_000_000)).toBe('99.9 %');
    expect(formatParity(0.999)).toBe('99.9 %');
    expect(formatParity(0.5)).toBe('50.0 %');
    expect(formatParity(0)).toBe('0.0 %');
  });
});
