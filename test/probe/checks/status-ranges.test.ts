import {
  formatStatusRanges,
  isExpectedStatus,
  unexpectedStatusDetail,
} from '../../../src/probe/checks/status-ranges';

describe('status ranges', () => {
  const ranges = [
    { from: 200, to: 299 },
    { from: 301, to: 301 },
  ];

  it('accepts inclusive bounds and rejects everything outside', () => {
    expect([199, 200, 299, 300, 301, 302].map((status) => isExpectedStatus(status, ranges))).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
  });

  it('formats ranges the way the config writes them', () => {
    expect(formatStatusRanges(ranges)).toBe('200-299, 301');
    expect(unexpectedStatusDetail(503, [{ from: 200, to: 399 }])).toBe('HTTP 503 (expected 200-399)');
  });

  it('treats an empty list as the default 200-399, never as "accept nothing"', () => {
    expect(isExpectedStatus(204, [])).toBe(true);
    expect(isExpectedStatus(404, [])).toBe(false);
    expect(formatStatusRanges([])).toBe('200-399');
  });
});
