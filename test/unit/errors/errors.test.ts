/**
 * Error codes are a typed union: `isBatonError` tells errors apart by code, narrows the code,
 * and a code outside the union (a typo, the retired TIMEOUT) does not compile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortedError, BatonError, FencedError, isBatonError, type BatonErrorCode } from '../../../src/errors.js';

describe('isBatonError', () => {
  it('tells errors apart by code, not by class or message', () => {
    const fenced: unknown = new FencedError('leader', 3);
    assert.equal(isBatonError(fenced), true);
    assert.equal(isBatonError(fenced, 'FENCED'), true);
    assert.equal(isBatonError(fenced, 'ABORTED'), false);
    assert.equal(isBatonError(new Error('FENCED')), false);
    assert.equal(isBatonError({ code: 'FENCED' }, 'FENCED'), false);
  });

  it('narrows the code to the one asked for', () => {
    const error: unknown = new AbortedError('sleep');
    if (!isBatonError(error, 'ABORTED')) assert.fail('an AbortedError has code ABORTED');
    const code: 'ABORTED' = error.code;
    assert.equal(code, 'ABORTED');
  });

  it('accepts only codes of the union', () => {
    // @ts-expect-error TIMEOUT was never raised and is no longer a code
    assert.equal(isBatonError(new BatonError('STATE', 'x'), 'TIMEOUT'), false);
    // @ts-expect-error a BatonError cannot be made with a code outside the union
    const odd = new BatonError('SOMETHING', 'x');
    const code: BatonErrorCode = odd.code;
    assert.equal(code, 'SOMETHING');
  });
});
