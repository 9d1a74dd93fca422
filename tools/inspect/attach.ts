/**
 * Wires an inspector hub into runtime options: the hub's observer becomes (or joins) the
 * runtime's `inspect`, so the live actor tree of every session reaches the page.
 */
import type { InspectionEvent } from 'xstate';
import type { InspectionObserver } from '../../actors/index.ts';
import type { InspectorHub } from './hub.ts';

/**
 * Returns `options` with `inspect` set to the hub's observer; an `inspect` already there still
 * sees every event, first.
 */
export function attachInspector<TOptions extends { readonly inspect?: InspectionObserver }>(
  options: TOptions,
  hub: Pick<InspectorHub, 'inspect'>,
): TOptions & { readonly inspect: (event: InspectionEvent) => void } {
  const previous = options.inspect;
  const inspect =
    previous === undefined
      ? hub.inspect
      : (event: InspectionEvent) => {
          if (typeof previous === 'function') previous(event);
          else previous.next?.(event);
          hub.inspect(event);
        };
  return { ...options, inspect };
}
