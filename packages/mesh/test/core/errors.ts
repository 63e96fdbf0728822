/** Custom errors shared by the test nodes and the tests (registered so they cross as themselves). */
import { registerErrorClass } from '@lumenize/structured-clone';

export class InsufficientFundsError extends Error {
  balance: number;
  constructor(message: string, balance: number) {
    super(message);
    this.name = 'InsufficientFundsError';
    this.balance = balance;
  }
}

export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

registerErrorClass(InsufficientFundsError);
registerErrorClass(ForbiddenError);
