/**
 * RK-14 flow control: which signals announce asserted pressure and recovery in each mode.
 * `signal`: xoff / xon. `credit`: no xoff, credits are withheld, recovery grants credit.
 * `hybrid`: both, xoff on pressure, then xon followed by a credit grant on recovery.
 */
import type { FlowMode } from './config.ts';

/** One RK-14 flow signal to emit, before stamping. */
export type FlowSignal =
  | { readonly signal: 'flow_xoff'; readonly reason: 'backpressure_asserted' }
  | { readonly signal: 'flow_xon' }
  | { readonly signal: 'credit_grant'; readonly amount: number };

/** Signals that follow a `watermark` when pressure is asserted. */
export function flowOnAssert(mode: FlowMode): readonly FlowSignal[] {
  return mode === 'credit' ? [] : [{ signal: 'flow_xoff', reason: 'backpressure_asserted' }];
}

/** Signals emitted when the lane falls to its low marks; `amount` is clamped to >= 1. */
export function flowOnRelease(mode: FlowMode, amount: number): readonly FlowSignal[] {
  const grant: FlowSignal = { signal: 'credit_grant', amount: Math.max(1, Math.floor(amount)) };
  switch (mode) {
    case 'signal':
      return [{ signal: 'flow_xon' }];
    case 'credit':
      return [grant];
    case 'hybrid':
      return [{ signal: 'flow_xon' }, grant];
  }
}
