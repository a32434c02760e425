import { describe, expect, it } from 'vitest';
import { durationBetween, formatDuration, formatLocal, utcTitle } from './format';

describe('format', () => {
  it('formats durations for people', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(2_345)).toBe('2.35 s');
    expect(formatDuration(12_300)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(null)).toBe('—');
  });

  it('measures the time between two ISO values', () => {
    expect(durationBetween('2025-01-01T00:00:00Z', '2025-01-01T00:00:12.5Z')).toBe(12_500);
    expect(durationBetween('2025-01-01T00:00:00Z', null)).toBeNull();
  });

  it('shows local time and keeps the UTC value for the hover title', () => {
    const iso = '2025-06-01T12:34:56Z';
    expect(formatLocal(iso)).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)));
    expect(utcTitle(iso)).toBe('2025-06-01T12:34:56.000Z (UTC)');
  });
});
