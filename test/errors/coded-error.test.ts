/**
 * CodedError: every typed error says its own class name and keeps its stable code, through subclasses of
 * subclasses, without declaring its name (which is why the classes built on it declare only a code).
 */
import { CodedError } from '../../src/errors/coded-error';
import { CorruptDataError, CorruptStateError } from '../../src/evaluator/errors';
import { DeliveryTimeoutError, TransientDeliveryError } from '../../src/notify/delivery-errors';

class BaseTestError extends CodedError {
  readonly code: string = 'EBASE';
}

class SpecificTestError extends BaseTestError {
  override readonly code = 'ESPECIFIC';
}

describe('CodedError', () => {
  it('names each error by its own class, however deep', () => {
    expect(new BaseTestError('a').name).toBe('BaseTestError');
    const specific = new SpecificTestError('b');
    expect(specific.name).toBe('SpecificTestError');
    expect(specific.code).toBe('ESPECIFIC');
    expect(specific).toBeInstanceOf(BaseTestError);
    expect(String(specific)).toBe('SpecificTestError: b');
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('root');
    expect(new BaseTestError('wrapped', { cause }).cause).toBe(cause);
  });

  it("the project's errors built on it keep their names and codes", () => {
    const state = new CorruptStateError('qdns:{api}:state', 'record', 'not JSON');
    expect(state).toBeInstanceOf(CorruptDataError);
    expect(state).toMatchObject({ name: 'CorruptStateError', code: 'ECORRUPTSTATE' });
    expect(state.message).toBe('corrupt data in Redis key qdns:{api}:state, field record: not JSON');
    const timeout = new DeliveryTimeoutError('no answer within 5000 ms');
    expect(timeout).toBeInstanceOf(TransientDeliveryError);
    expect(timeout).toMatchObject({ name: 'DeliveryTimeoutError', code: 'ENOTIFY_TIMEOUT', retryable: true });
  });
});
