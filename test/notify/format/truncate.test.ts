import fc from 'fast-check';
import {
  ELLIPSIS,
  limitItems,
  truncate,
  truncateBytes,
  truncateLines,
  utf8Length,
} from '../../../src/notify/truncate';

/** True when the text has no lone surrogate (a cut through a pair would leave one). */
function wellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

describe('truncate', () => {
  it('leaves text within the limit alone', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('', 0)).toBe('');
  });

  it('cuts to the limit and marks the cut', () => {
    const cut = truncate('abcdefghij', 5);
    expect(cut).toBe(`abcd${ELLIPSIS}`);
    expect(cut).toHaveLength(5);
  });

  it('never splits a surrogate pair', () => {
    // 'a' + two emoji (two code units each): a cut after 2 units would split the first emoji.
    const text = 'a😀😀';
    const cut = truncate(text, 3);
    expect(cut).toBe(`a${ELLIPSIS}`);
    expect(wellFormed(cut)).toBe(true);
  });

  it('returns a bare prefix when the limit is shorter than the marker', () => {
    expect(truncate('abcdef', 1, '[cut]')).toBe('a');
  });

  it('fits the limit and stays well-formed for any text (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 0, max: 250 }),
        (text, max) => {
          const cut = truncate(text, max);
          expect(cut.length).toBeLessThanOrEqual(Math.max(max, 0));
          expect(wellFormed(cut)).toBe(true);
          if (text.length <= max) expect(cut).toBe(text);
          else expect(text.startsWith(cut.endsWith(ELLIPSIS) ? cut.slice(0, -1) : cut)).toBe(true);
        },
      ),
    );
  });
});

describe('truncateBytes', () => {
  it('counts UTF-8 bytes and cuts on character boundaries', () => {
    const text = 'é'.repeat(100); // 200 bytes
    const cut = truncateBytes(text, 51);
    expect(utf8Length(cut)).toBeLessThanOrEqual(51);
    expect(cut.endsWith(ELLIPSIS)).toBe(true);
    expect(cut.slice(0, -1)).toMatch(/^é+$/);
  });

  it('fits any text into any byte budget (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 0, max: 400 }),
        (text, max) => {
          const cut = truncateBytes(text, max);
          expect(utf8Length(cut)).toBeLessThanOrEqual(max);
          expect(wellFormed(cut)).toBe(true);
        },
      ),
    );
  });
});

describe('truncateLines', () => {
  it('keeps whole lines and says how many were left out', () => {
    const lines = ['first line', 'second line', 'third line', 'fourth line'];
    const text = truncateLines(lines, 40);
    expect(text.length).toBeLessThanOrEqual(40);
    expect(text.startsWith('first line\nsecond line')).toBe(true);
    expect(text).toMatch(/… 2 more lines$/);
  });

  it('cuts a single overlong line instead of returning nothing', () => {
    const text = truncateLines(['x'.repeat(100)], 10);
    expect(text).toBe(`${'x'.repeat(9)}${ELLIPSIS}`);
  });

  it('never exceeds the limit (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 60 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 500 }),
        (lines, max) => {
          expect(truncateLines(lines, max).length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});

describe('limitItems', () => {
  it('replaces the tail with a summary item', () => {
    expect(limitItems([1, 2, 3, 4, 5], 3, (left) => -left)).toEqual([1, 2, -3]);
    expect(limitItems([1, 2], 3, (left) => -left)).toEqual([1, 2]);
  });
});
