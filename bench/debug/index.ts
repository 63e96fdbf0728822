/**
 * debug benchmark (spec/debug.md §8): one million filtered-out `log.debug('x', obj)` calls in Node,
 * against a no-op method with the same call shape, in the same process. Prints ms per million calls
 * for both and the ratio ours ÷ no-op in time; gate: under 100 ms per million. Method: README.md.
 */
import { debug } from '@lumenize/debug';
import { compare, formatRatio, table, today, writeResults, machineLoad } from '../lib/harness.ts';

const loadAtStart = machineLoad();

const CALLS = 1_000_000;
// Something enabled, but not our namespace: the logger must take the filtered-out path.
debug.configure({ DEBUG: 'SomethingElse' });
const log = debug('Bench.filtered');
const obj = { id: 42, tags: ['a', 'b'], nested: { deep: true } };
// The baseline is a method on an object, so the call site has the same shape as log.debug(...).
const noop = {
  debug(_message: string, _data?: unknown): void {},
};
if (log.enabled) throw new Error('the benchmark logger must be filtered out');

let records = 0;
debug.setOutput(() => {
  records++;
});

const timings = compare(
  [
    [
      'log.debug filtered out',
      () => {
        for (let i = 0; i < CALLS; i++) log.debug('x', obj);
      },
    ],
    [
      'no-op method',
      () => {
        for (let i = 0; i < CALLS; i++) noop.debug('x', obj);
      },
    ],
  ],
  { sampleMs: 100, rounds: 7 },
);
if (records !== 0) throw new Error(`a filtered-out call produced ${records} records`);

const ours = timings.get('log.debug filtered out')!.msPerOp;
const base = timings.get('no-op method')!.msPerOp;
const results = table(
  ['case', 'ms per 1,000,000 calls', 'ours ÷ no-op (time)', 'gate < 100 ms'],
  [
    ['`log.debug(\'x\', obj)`, filtered out', ours.toFixed(2), formatRatio(ours / base), ours < 100 ? 'PASS' : 'MISS'],
    ['no-op method `noop.debug(\'x\', obj)`', base.toFixed(2), '—', ''],
  ],
);
console.log(`\n${results}\n\nrecords produced by filtered-out calls: ${records}`);
writeResults(`Measured ${today()}, Node ${process.version}, ${process.platform}/${process.arch}, ${loadAtStart} at the start.\n\n${results}`);
