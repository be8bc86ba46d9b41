// ir/limits.ts: sizes are exact or refused, never rounded.
import { describe, expect, it } from 'vitest';
import { describeBytes, exactElements, interpreterTooLarge, shapeTooLarge } from '../../ir/limits.js';
import { array } from '../../ir/shape.js';

describe('size limits', () => {
  it('element counts are exact up to 2^53 and Infinity past it', () => {
    expect(exactElements([2, 3])).toBe(6);
    expect(exactElements([2 ** 26, 2 ** 27])).toBe(2 ** 53);
    expect(exactElements([2 ** 27, 2 ** 27])).toBe(Infinity);
    expect(exactElements([2 ** 60, 0])).toBe(0);
  });
  it('shapes no target holds name the size and the limit', () => {
    expect(shapeTooLarge(array('f32', [2 ** 51]))).toBeUndefined(); // exactly 2^53 bytes
    expect(shapeTooLarge(array('f32', [10, 9, 8, 7, 30, 29, 28, 27, 26, 512]))).toBeUndefined(); // 161 TiB: in XLA's own tests
    expect(shapeTooLarge(array('f32', [2 ** 51 + 1]))).toMatch(/^f32\[2251799813685249\] needs 8 PiB \(9007199254740996 bytes\); no target holds an array over 2\^53 bytes \(8 PiB\)$/);
    expect(shapeTooLarge(array('f32', [2 ** 53]))).toMatch(/dimension 9007199254740992 is not an integer below 2\^53/);
    expect(shapeTooLarge(array('f32', [-1]))).toBeUndefined(); // a dynamic dim
  });
  it('the interpreter holds 2^28 elements a value', () => {
    expect(interpreterTooLarge(array('pred', [2 ** 28]))).toBeUndefined();
    expect(interpreterTooLarge(array('pred', [2 ** 28 + 1]))).toMatch(/has 268435457 elements; the interpreter holds at most 2\^28/);
  });
  it('byte counts read as people write them', () => {
    expect(describeBytes(512)).toBe('512 bytes');
    expect(describeBytes(1.5 * 2 ** 30)).toBe('1.5 GiB');
    expect(describeBytes(Infinity)).toBe('more than 2^53 bytes');
  });
});
