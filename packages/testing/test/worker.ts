/**
 * The test Worker (wrangler `main`): the project in fixtures/app.ts instrumented with
 * instrumentDOProject, plus separately instrumented DOs for virtual alarms, the deprecated alarm
 * simulation, a custom prefix and a guard token, and an Agents project (requests to AGENTS_HOST).
 */
import { instrumentDOProject } from '../src/index.ts';
import * as app from './fixtures/app.ts';
import { AlarmDO } from './fixtures/alarm-nodes.ts';
import * as agentsApp from './fixtures/agents-app.ts';

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
/** An Agents project (§9 items 30–32): its own Worker (`/login`, routeAgentRequest) on its own host. */
const agents = instrumentDOProject({ sourceModule: agentsApp, doClassNames: ['ChatAgent', 'AuthAgent'] });
/** The Agents project's host: its `/login` and `/agents/…` routes are the agents Worker's, not the app's. */
export const AGENTS_HOST = 'agents.example';

export const { MyDO, CounterNode } = harness.dos;
export const { ReminderNode, AlarmDO: VirtualAlarmDO } = timed.dos;
export const NativeAlarmDO = native.dos.AlarmDO;
export const SimulatedAlarmDO = simulated.dos.AlarmDO;
export const CustomPrefixDO = custom.dos.MyDO;
export const GuardedDO = guarded.dos.MyDO;
export const { ChatAgent, AuthAgent } = agents.dos;
export { AppGateway, LumenizeAuth } from './fixtures/app.ts';

const byPrefix: Array<[string, ExportedHandler<Record<string, unknown>>]> = [
  ['/native-rpc/', native],
  ['/sim-rpc/', simulated],
  ['/custom-rpc/', custom],
  ['/guarded-rpc/', guarded],
];

export default {
  fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.hostname === AGENTS_HOST) return agents.fetch!(request, env, ctx);
    const path = url.pathname;
    const target = byPrefix.find(([p]) => path.startsWith(p))?.[1] ?? harness;
    return target.fetch!(request, env, ctx);
  },
  scheduled: harness.scheduled,
} satisfies ExportedHandler<Record<string, unknown>>;
