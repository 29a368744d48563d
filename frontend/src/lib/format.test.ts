import { describe, expect, it } from 'vitest';

import { filenameFromDisposition } from './download';
import { currencyDigits, formatBytes, formatChange, formatRelative, fromLocalInputValue, humanize, toLocalInputValue } from './format';

describe('formatting', () => {
  it('shows changes with a sign and sensible precision', () => {
    expect(formatChange(23.456)).toBe('+23%');
    expect(formatChange(4.44)).toBe('+4.4%');
    expect(formatChange(-100)).toBe('−100%');
    expect(formatChange(0.01)).toBe('0%');
  });

  it('knows how many decimals a currency’s minor unit has', () => {
    expect(currencyDigits('EUR')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('not a currency')).toBe(2);
  });

  it('sizes files in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(48_000)).toBe('46.9 KB');
    expect(formatBytes(null)).toBe('—');
  });

  it('says how long ago, in words', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    expect(formatRelative('2026-03-01T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2026-02-27T12:00:00Z', now)).toBe('2 days ago');
    expect(formatRelative(null, now)).toBe('—');
  });

  it('turns datetime-local values into instants and back', () => {
    const instant = fromLocalInputValue('2026-03-01T10:30');
    expect(instant).toBe(new Date('2026-03-01T10:30').toISOString());
    expect(toLocalInputValue(instant)).toBe('2026-03-01T10:30');
    expect(fromLocalInputValue('')).toBeUndefined();
  });

  it('humanizes identifiers', () => {
    expect(humanize('audit_log')).toBe('Audit log');
    expect(humanize('partner_admin')).toBe('Partner admin');
  });
});

describe('download file names', () => {
  it('reads plain and RFC 5987 file names', () => {
    expect(filenameFromDisposition('attachment; filename="orders-13.csv"')).toBe('orders-13.csv');
    expect(filenameFromDisposition("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.csv")).toBe('résumé.csv');
    expect(filenameFromDisposition(null)).toBeNull();
  });
});
