/**
 * The embedding example of docs/runtime.md, kept compiling and tested: one session, one user turn
 * on the embedded bus with sim providers under simulated time. Run it with
 * `npx tsx tools/run/example.ts`.
 */
import { createRuntime, type RuntimeOutput } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import { createSimLlm, createSimStt, createSimTts } from '../../adapters/providers/sim/index.ts';
import { createContractValidator } from '../../contracts/index.ts';
import { createStageAEvidence } from './evidence.ts';
import { ingressRecord } from './script.ts';
import { createSimTime } from './sim-time.ts';

/** Runs the example and returns the `signal(reason)` sequence it printed. */
export async function runExample(print: (line: string) => void = console.log): Promise<string[]> {
  const time = createSimTime(); // one clock for machines and providers
  const { scheduler } = time;
  const bus = createEmbeddedBus();
  const runtime = createRuntime({
    bus,
    clock: time.clock,
    validator: createContractValidator(),
    providers: {
      stt: [createSimStt({ seed: 1, scheduler })],
      llm: [createSimLlm({ seed: 1, scheduler })],
      tts: [createSimTts({ seed: 1, scheduler })],
    },
    evidence: createStageAEvidence(), // OR-02 Stage-A recorder per session
  });
  runtime.openSession({ session_id: 'example', tenant_id: 'acme' });
  const lines: string[] = [];
  runtime.subscribe('example', (output: RuntimeOutput) => {
    if (output.kind !== 'control') return;
    const { signal, reason } = output.record;
    const line = `${signal}${typeof reason === 'string' ? `(${reason})` : ''}`;
    lines.push(line);
    print(line);
  });
  // What a transport adapter does: a contract record (checked by RK-05) plus the words.
  const step = { at_ms: 0, kind: 'transcript_final', text: 'hello there' } as const;
  const result = runtime.feed('example', {
    kind: 'transcript_final',
    text: step.text,
    record: ingressRecord('example', step, 1, 1),
  });
  if (!result.accepted) throw new Error('rejected');
  await time.advanceTo(3000); // let the turn run to its commit
  await runtime.stop(); // drains: a live turn would end with one terminal and close
  await bus.close();
  return lines;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await runExample();
