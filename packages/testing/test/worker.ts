/**
 * The test Worker (wrangler `main`): the project in fixtures/app.ts instrumented with
 * instrumentDOProject, plus separately instrumented DOs for virtual alarms, the deprecated alarm
 * simulation, a custom prefix and a guard token.
 */
import { instrumentDOProject } from '../src/index.ts';
import * as app from './fixtures/app.ts';
import { AlarmDO } from './fixtures/alarm-nodes.ts';

/** The project as a user would instrument it; the gateway and the auth DO stay untouched. */
const harness = instrumentDOProject({ sourceModule: app, doClassNames: ['MyDO', 'CounterNode'], virtualAlarms: true });
/** Virtual alarms for time travel (the mesh alarms service and a plain alarm() DO). */
const timed = instrumentDOProject({ sourceModule: { ReminderNode: app.ReminderNode, AlarmDO }, doClassNames: ['ReminderNode', 'AlarmDO'], virtualAlarms: true });
/** Native alarms (item 38: simulation is off by default). */
const native = instrumentDOProject({ sourceModule: { AlarmDO }, prefix: 'native-rpc' });
/** The deprecated simulation (item 38). */
const simulated = instrumentDOProject({ sourceModule: { AlarmDO }, prefix: 'sim-rpc', simulateAlarms: { timeScale: 100, maxRetries: 3 } });
/** A custom prefix (item 11) and a guard token (item 39). */
const custom = instrumentDOProject({ sourceModule: { MyDO: app.MyDO }, prefix: 'custom-rpc' });
const guarded = instrumentDOProject({ sourceModule: { MyDO: app.MyDO }, prefix: 'guarded-rpc', guardToken: 'let-me-in' });

export const { MyDO, CounterNode } = harness.dos;
export const { ReminderNode, AlarmDO: VirtualAlarmDO } = timed.dos;
export const NativeAlarmDO = native.dos.AlarmDO;
export const SimulatedAlarmDO = simulated.dos.AlarmDO;
export const CustomPrefixDO = custom.dos.MyDO;
export const GuardedDO = guarded.dos.MyDO;
export { AppGateway, LumenizeAuth } from './fixtures/app.ts';

const byPrefix: Array<[string, ExportedHandler<Record<string, unknown>>]> = [
  ['/native-rpc/', native],
  ['/sim-rpc/', simulated],
  ['/custom-rpc/', custom],
  ['/guarded-rpc/', guarded],
];

export default {
  fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    const target = byPrefix.find(([p]) => path.startsWith(p))?.[1] ?? harness;
    return target.fetch!(request, env, ctx);
  },
  scheduled: harness.scheduled,
} satisfies ExportedHandler<Record<string, unknown>>;
