import { describe, expect, it } from 'vitest';
import { windowFieldsOf, windowText } from './WindowFields';

describe('a change window in its own zone', () => {
  it('reads as the wall clock of its zone, the end without its date on the same day', () => {
    expect(windowText({ start: '2026-11-30T19:00:00.000Z', end: '2026-11-30T21:00:00.000Z', timeZone: 'Europe/Berlin' })).toBe('2026-11-30 20:00–22:00 Europe/Berlin');
    expect(windowText({ start: '2026-11-29T22:00:00.000Z', end: '2026-11-29T23:00:00.000Z', timeZone: 'Europe/Berlin' })).toBe('2026-11-29 23:00–2026-11-30 00:00 Europe/Berlin');
    // Across the fall-back night: 01:30 CEST to 02:30 CET, two hours later.
    expect(windowText({ start: '2026-10-24T23:30:00.000Z', end: '2026-10-25T01:30:00.000Z', timeZone: 'Europe/Berlin' })).toBe('2026-10-25 01:30–02:30 Europe/Berlin');
  });

  it('fills the datetime-local fields with that wall clock', () => {
    expect(windowFieldsOf({ start: '2026-11-30T19:00:00.000Z', end: '2026-12-01T01:00:00.000Z', timeZone: 'America/New_York' })).toEqual({ start: '2026-11-30T14:00', end: '2026-11-30T20:00', timeZone: 'America/New_York' });
  });
});
