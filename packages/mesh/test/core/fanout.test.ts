/**
 * Fan-out (mesh spec §9 item 11; acceptance item 98): `this.svc.fanout.send` and the
 * LumenizeFanoutWorker tiers. Tiers are observed through their `lmz.mesh.fanout.*` logs and through
 * the stubs each delivery acquires (`lmz.mesh.getMeshStub`); deliveries through the recipients.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { newContinuation, type FanoutRecipient } from '../../src/index.ts';
import { eventually, type FanoutRecipientDO, type FanoutSenderDO, type PlainSummary } from './fanout-nodes.ts';
import { meshCall } from './helpers.ts';
import { logsOf, mark } from './logs.ts';

const sender = newContinuation<FanoutSenderDO>();
const recipientsOf = (prefix: string, n: number): FanoutRecipient[] => Array.from({ length: n }, (_, i) => ({ bindingName: 'FANOUT_RECIPIENT', instanceName: `${prefix}${i}` }));

/** Starts a fan-out from sender `run` and waits for the summary its handler stores. */
async function fanOut(run: string, recipients: FanoutRecipient[], tag: string, options?: object, inMemory = false): Promise<PlainSummary> {
  await meshCall('FANOUT_SENDER', run, sender.fanTo(run, recipients, tag, options, inMemory));
  return eventually(() => meshCall('FANOUT_SENDER', run, sender.summary(run)) as Promise<PlainSummary | undefined>);
}

/** Delivery counts of `tag` at every recipient, read over raw RPC in batches. */
async function countsOf(recipients: FanoutRecipient[], tag: string): Promise<number[]> {
  const counts: number[] = [];
  for (let at = 0; at < recipients.length; at += 200) {
    const batch = recipients.slice(at, at + 200).map((r) => env.FANOUT_RECIPIENT.getByName(r.instanceName!).countOf(tag));
    counts.push(...(await Promise.all(batch)));
  }
  return counts;
}

/** Stubs acquired for recipients named `${prefix}*` (other test files run in this isolate too). */
const stubsTo = (prefix: string, since: number) =>
  logsOf('lmz.mesh.getMeshStub', 'debug', since).filter((r) => r.message === 'stub acquired' && String((r.data as { instance?: string }).instance).startsWith(prefix)).length;
/** Tier logs of fan-outs sent by FANOUT_SENDER `run`: its own split first, then its Workers'. */
const ofRun = (run: string) => (r: { data?: unknown }) => (r.data as { origin?: string }).origin === `FANOUT_SENDER/${run}`;
const splits = (run: string, since: number) =>
  logsOf('lmz.mesh.fanout.tier', 'debug', since).filter(ofRun(run)).map((r) => {
    const { levels, recipients, groups } = r.data as { levels: number; recipients: number; groups: number };
    return { levels, recipients, groups };
  });
const leaves = (run: string, since: number) => logsOf('lmz.mesh.fanout.deliver', 'debug', since).filter(ofRun(run)).map((r) => (r.data as { recipients: number }).recipients);

describe('98: svc.fanout tiers', () => {
  it('98: 10 recipients get 10 direct calls from the sender, as a new chain originating at it', async () => {
    const RUN = 'f98a';
    const since = mark();
    const recipients = recipientsOf('f98a-', 10);
    const summary = await fanOut('f98a', recipients, 't');
    expect(summary).toEqual({ total: 10, delivered: 10, failed: [] });
    expect(splits(RUN, since)).toEqual([]);
    expect(leaves(RUN, since)).toEqual([10]);
    expect(stubsTo(RUN + '-', since)).toBe(10);
    expect(await countsOf(recipients, 't')).toEqual(Array(10).fill(1));
    const seen = (await meshCall('FANOUT_RECIPIENT', 'f98a-3', newContinuation<FanoutRecipientDO>().seen('t'))) as { chain: unknown };
    expect(seen.chain).toEqual([{ type: 'LumenizeDO', bindingName: 'FANOUT_SENDER', instanceName: 'f98a' }]);
  });

  it('98: 100 recipients go through 10 groups of 10, each delivered by a LumenizeFanoutWorker', async () => {
    const RUN = 'f98b';
    const since = mark();
    const recipients = recipientsOf('f98b-', 100);
    const summary = await fanOut('f98b', recipients, 't');
    expect(summary).toEqual({ total: 100, delivered: 100, failed: [] });
    expect(splits(RUN, since)).toEqual([{ levels: 2, recipients: 100, groups: 10 }]);
    expect(leaves(RUN, since)).toEqual(Array(10).fill(10));
    expect(stubsTo(RUN + '-', since)).toBe(100);
    expect(await countsOf(recipients, 't')).toEqual(Array(100).fill(1));
    const seen = (await meshCall('FANOUT_RECIPIENT', 'f98b-77', newContinuation<FanoutRecipientDO>().seen('t'))) as { chain: unknown };
    expect(seen.chain).toEqual([{ type: 'LumenizeDO', bindingName: 'FANOUT_SENDER', instanceName: 'f98b' }]);
  });

  it('98: 5,000 recipients use three levels (18 groups, then ⌈√n⌉ each), every one delivered once', async () => {
    const RUN = 'f98c';
    // 5,000 recipient entries on 50 DOs (100 entries each), counted in memory: creating a DO instance
    // costs tens of ms in local workerd and a storage write a few ms, so distinct instances writing
    // counts would make this test minutes long. Each entry is delivered once: every DO counts 100.
    const since = mark();
    const dos = recipientsOf('f98c-', 50);
    const recipients = Array.from({ length: 5000 }, (_, i) => dos[i % 50]);
    const summary = await fanOut('f98c', recipients, 't', undefined, true);
    expect(summary).toEqual({ total: 5000, delivered: 5000, failed: [] });
    const s = splits(RUN, since);
    expect(s.filter((x) => x.levels === 3)).toEqual([{ levels: 3, recipients: 5000, groups: 18 }]);
    const second = s.filter((x) => x.levels === 2);
    expect(second).toHaveLength(18);
    for (const x of second) expect([277, 278]).toContain(x.recipients);
    for (const x of second) expect(x.groups).toBe(17);
    expect(leaves(RUN, since)).toHaveLength(18 * 17);
    expect(leaves(RUN, since).reduce((n, x) => n + x, 0)).toBe(5000);
    expect(Math.max(...leaves(RUN, since)) - Math.min(...leaves(RUN, since))).toBeLessThanOrEqual(1);
    expect(stubsTo(RUN + '-', since)).toBe(5000);
    expect(await Promise.all(dos.map((r) => env.FANOUT_RECIPIENT.getByName(r.instanceName!).tallyOf('t')))).toEqual(Array(50).fill(100));
  }, 60_000);

  it('98: more than maxRecipients throws FanoutLimitError and sends nothing; so does a bad recipient', async () => {
    const RUN = 'f98d';
    const since = mark();
    await meshCall('FANOUT_SENDER', 'f98d', sender.summary('none'));
    const tooMany = await meshCall('FANOUT_SENDER', 'f98d', sender.tryFan(recipientsOf('f98d-', 10_001)));
    expect(tooMany).toEqual({
      name: 'FanoutLimitError',
      code: 'TOO_MANY_RECIPIENTS',
      message: 'svc.fanout.send got 10001 recipients, more than maxRecipients (10000); nothing was sent. Split the list or raise maxRecipients (at most 262,144) in fanoutOptions',
    });
    const custom = (await meshCall('FANOUT_SENDER', 'f98d', sender.tryFan(recipientsOf('f98d-', 6), { maxRecipients: 5 }))) as { code: string };
    expect(custom.code).toBe('TOO_MANY_RECIPIENTS');
    const overHard = (await meshCall('FANOUT_SENDER', 'f98d', sender.tryFan([], { maxRecipients: 262_145 }))) as { code: string; message: string };
    expect(overHard).toMatchObject({ code: 'INVALID_OPTION', message: 'Invalid fan-out option maxRecipients: 262145; expected an integer from 1 to 262144' });
    const bad = (await meshCall('FANOUT_SENDER', 'f98d', sender.tryFan([...recipientsOf('f98d-', 3), { bindingName: 'NOPE', instanceName: 'x' }]))) as { code: string; message: string };
    expect(bad).toMatchObject({ code: 'INVALID_RECIPIENT', message: "svc.fanout.send: recipients[3] is not reachable: Unknown binding 'NOPE': env has no binding with that name; nothing was sent" });
    const noTier = (await meshCall('FANOUT_SENDER', 'f98d', sender.tryFan(recipientsOf('f98d-', 65), { binding: 'NO_SUCH_FANOUT' }))) as { code: string };
    expect(noTier.code).toBe('MISSING_FANOUT_BINDING');
    expect(await meshCall('FANOUT_SENDER', 'f98d', sender.tryFan([]))).toBeUndefined();
    expect(stubsTo(RUN + '-', since)).toBe(0);
    expect(await countsOf(recipientsOf('f98d-', 6), 'never')).toEqual(Array(6).fill(0));
  });

  it('98: a disconnected client and a failing branch are reported under failed with their recipients; totals match', async () => {
    const ghost = { bindingName: 'LUMENIZE_CLIENT_GATEWAY', instanceName: 'ghost.tab1' };
    const direct = await fanOut('f98e', [...recipientsOf('f98e-', 4), ghost], 't');
    expect(direct.total).toBe(5);
    expect(direct.delivered).toBe(4);
    expect(direct.failed).toHaveLength(1);
    expect(direct.failed[0]).toMatchObject({ recipient: ghost, name: 'ClientDisconnectedError' });

    // 100 recipients through FAILING_FANOUT: the tier holding 'boom' throws, its 10 recipients are failed.
    const recipients = [...recipientsOf('f98f-', 49), { bindingName: 'FANOUT_RECIPIENT', instanceName: 'boom-1' }, ...recipientsOf('f98f-x', 49), ghost];
    const summary = await fanOut('f98f', recipients, 't', { binding: 'FAILING_FANOUT' });
    expect(summary.total).toBe(100);
    expect(summary.delivered + summary.failed.length).toBe(100);
    const tierFailed = summary.failed.filter((f) => f.name === 'FanoutBranchError');
    expect(tierFailed).toHaveLength(10);
    expect(tierFailed.map((f) => f.recipient)).toEqual(recipients.slice(40, 50));
    expect(tierFailed[0].message).toContain('tier exploded');
    expect(summary.failed.filter((f) => f.name === 'ClientDisconnectedError').map((f) => f.recipient)).toEqual([ghost]);
    expect(summary.delivered).toBe(89);
    const counts = await countsOf(recipients.slice(0, 99), 't');
    expect(counts.slice(0, 40)).toEqual(Array(40).fill(1));
    expect(counts.slice(40, 50)).toEqual(Array(10).fill(0));
  });

  it('98: a branch that does not answer within branchTimeoutMs is reported failed with its recipients', { timeout: 30_000 }, async () => {
    const recipients = [...recipientsOf('f98g-', 9), { bindingName: 'FANOUT_RECIPIENT', instanceName: 'hang-1' }, ...recipientsOf('f98g-x', 90)];
    await countsOf(recipients.filter((r) => r.instanceName !== 'hang-1'), 't'); // warm: only the latched branch is slow
    const summary = await fanOut('f98g', recipients, 't', { binding: 'FAILING_FANOUT', branchTimeoutMs: 3000 });
    expect(await env.FANOUT_RECIPIENT.getByName('latch').release()).toBe(1);
    expect(summary.total).toBe(100);
    const hung = summary.failed.filter((f) => f.recipient.instanceName === 'hang-1' || f.recipient.instanceName?.startsWith('f98g-'));
    expect(hung.map((f) => f.recipient)).toEqual(recipients.slice(0, 10));
    expect(hung[0].name).toBe('FanoutBranchError');
    expect(hung[0].message).toBe("Fan-out worker 'FAILING_FANOUT' did not answer within 3000 ms; delivery to its 10 recipient(s) is unknown");
    expect(summary.delivered).toBe(90);
  });
});
