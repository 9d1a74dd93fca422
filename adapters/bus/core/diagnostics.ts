/** Fan-out of bus diagnostics to registered listeners, isolated from listener failures. */
import type { BusDiagnostic, BusDiagnosticListener } from './contracts.ts';

/** Holds the listeners of one bus and delivers each diagnostic to all of them synchronously. */
export class DiagnosticsHub {
  private readonly listeners = new Set<BusDiagnosticListener>();

  /** Registers a listener; returns its removal. */
  add(listener: BusDiagnosticListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Delivers a diagnostic to every listener. */
  emit(diagnostic: BusDiagnostic): void {
    for (const listener of this.listeners) {
      try {
        listener(diagnostic);
      } catch (error) {
        // A broken listener must not break delivery or the connection loop it is called from,
        // and it must not vanish silently either.
        console.error(`bus diagnostic listener threw on '${diagnostic.kind}'`, error);
      }
    }
  }
}
