/**
 * The built-in `alarms` service (spec §7.3): any number of dated, delayed and cron schedules
 * multiplexed on the one native DO alarm, with continuation handlers and captured call context.
 */
import { debug } from '@lumenize/debug';
import { parse, stringify } from '@lumenize/structured-clone';
import { parseCronExpression } from 'cron-schedule';
import { ulidFactory } from 'ulid-workers';
import { receiveCallContext, toWireCallContext } from '../call-context.ts';
import { currentCallContext, runWithCallContext } from '../context-store.ts';
import { assertHandlerTarget } from '../handler-target.ts';
import { getOperationChain, isContinuation, type AnyContinuation } from '../ocan/continuation.ts';
import { executeOperationChain, executeOperationChainSync } from '../ocan/execute.ts';
import { decodeOperationChain, encodeOperationChain } from '../ocan/chain-codec.ts';
import type { OperationChain } from '../ocan/types.ts';
import type { CallContext, NodeIdentity, WireCallContext } from '../protocol.ts';
import { NadisPlugin, registerBuiltInService } from './registry.ts';

interface ScheduleBase {
  id: string;
  /** When it runs next, epoch milliseconds. */
  time: number;
  /** The handler's operation chain. */
  operationChain: OperationChain;
}
/** A schedule at a `Date`. */
export interface ScheduledAlarm extends ScheduleBase {
  type: 'scheduled';
}
/** A schedule a number of seconds from when it was made. */
export interface DelayedAlarm extends ScheduleBase {
  type: 'delayed';
  delayInSeconds: number;
}
/** A recurring schedule (5-field cron, UTC). */
export interface CronAlarm extends ScheduleBase {
  type: 'cron';
  cron: string;
}
/** Any schedule. */
export type Schedule = ScheduledAlarm | DelayedAlarm | CronAlarm;

/** Options of {@link Alarms.schedule}. */
export interface ScheduleOptions {
  /** Your id; reusing an existing id replaces that schedule. Default: a monotonic ULID. */
  id?: string;
  /** Run the handler inside `transactionSync` (it must then be synchronous). */
  transaction?: boolean;
}

/** Filters of {@link Alarms.getSchedules}. */
export interface ScheduleCriteria {
  id?: string;
  type?: Schedule['type'];
  timeRange?: { start?: Date; end?: Date };
}

interface Row {
  id: string;
  rev: string;
  operation_chain: string;
  type: Schedule['type'];
  time: number;
  delay_in_seconds: number | null;
  cron: string | null;
  call_context: string | null;
  transactional: number;
  [column: string]: SqlStorageValue;
}

const TABLE = '__lmz_alarms';
const LOCAL = { requireMeshDecorator: false } as const;

function nextCronTime(cron: string, after: Date): number {
  return parseCronExpression(cron).getNextDate(after).getTime();
}

/**
 * Schedules handlers on the DO's single native alarm. `LumenizeDO.alarm` delegates here; on a
 * plain DurableObject use `new Alarms(this)` and call `alarm()` from your own `alarm()`.
 * @example this.svc.alarms.schedule(60, this.ctn().remind('standup'));
 */
export class Alarms extends NadisPlugin {
  #log = debug('lmz.mesh.Alarms');
  #ulid = ulidFactory({ monotonic: true });
  #ready = false;
  /** `id:rev` of schedules running now, so overlapping triggerAlarms() calls never run one twice. */
  #running = new Set<string>();

  constructor(doInstance: object) {
    super(doInstance);
    if (typeof this.ctx.storage.sql?.exec !== 'function') throw new TypeError('Alarms requires a Durable Object with SQL storage');
  }

  #sql(): SqlStorage {
    const sql = this.ctx.storage.sql;
    if (!this.#ready) {
      sql.exec(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (id TEXT PRIMARY KEY, rev TEXT NOT NULL, operation_chain TEXT NOT NULL, type TEXT NOT NULL, time INTEGER NOT NULL, delay_in_seconds REAL, cron TEXT, call_context TEXT, transactional INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)`,
      );
      sql.exec(`CREATE INDEX IF NOT EXISTS ${TABLE}_time_id ON ${TABLE} (time, id)`);
      this.#ready = true;
    }
    return sql;
  }

  /**
   * Schedules `continuation` at a `Date` ('scheduled'), after a number of seconds ('delayed') or on
   * a 5-field UTC cron ('cron'). Synchronous; captures the current call context for the handler.
   * @example this.svc.alarms.schedule('0 9 * * 1', this.ctn().weeklyReport());
   */
  schedule(when: Date | number | string, continuation: AnyContinuation, options: ScheduleOptions = {}): Schedule {
    const now = Date.now();
    let time: number;
    let extra: { delayInSeconds?: number; cron?: string } = {};
    let type: Schedule['type'];
    if (when instanceof Date) {
      time = when.getTime();
      if (!Number.isFinite(time)) throw new RangeError(`Invalid schedule date: ${String(when)}`);
      type = 'scheduled';
    } else if (typeof when === 'number') {
      if (!Number.isFinite(when) || when < 0) throw new RangeError(`Invalid schedule delay: ${String(when)} (expected a finite number of seconds >= 0)`);
      time = now + when * 1000;
      type = 'delayed';
      extra = { delayInSeconds: when };
    } else if (typeof when === 'string') {
      try {
        time = nextCronTime(when, new Date(now));
      } catch (e) {
        throw new RangeError(`Invalid cron expression '${when}': ${e instanceof Error ? e.message : String(e)}`);
      }
      type = 'cron';
      extra = { cron: when };
    } else {
      throw new TypeError('Invalid schedule type: expected a Date, a number of seconds or a cron string');
    }
    if (!isContinuation(continuation)) throw new TypeError('Invalid continuation: must be created with this.ctn()');
    const operationChain = getOperationChain(continuation)!;
    assertHandlerTarget(operationChain, this.doInstance, 'Invalid continuation: alarm handler');
    if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) throw new TypeError('schedule(): options.id must be a non-empty string');
    const ctx = currentCallContext();
    const serializedChain = stringify(encodeOperationChain(operationChain));
    const serializedContext = ctx ? stringify(toWireCallContext(ctx)) : null;
    const id = options.id ?? this.#ulid();
    this.#sql().exec(
      `INSERT OR REPLACE INTO ${TABLE} (id, rev, operation_chain, type, time, delay_in_seconds, cron, call_context, transactional, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      this.#ulid(),
      serializedChain,
      type,
      time,
      extra.delayInSeconds ?? null,
      extra.cron ?? null,
      serializedContext,
      options.transaction ? 1 : 0,
      now,
    );
    this.#syncNativeAlarm();
    if (this.#log.enabled) this.#log.debug('scheduled', { id, type, time });
    return { id, type, time, operationChain, ...extra } as Schedule;
  }

  /** The schedule with this id, if any. */
  getSchedule(id: string): Schedule | undefined {
    const row = this.#sql().exec<Row>(`SELECT * FROM ${TABLE} WHERE id = ?`, id).toArray()[0];
    return row && this.#toSchedule(row);
  }

  /**
   * Schedules matching every given criterion, in `(time, id)` order.
   * @example this.svc.alarms.getSchedules({ type: 'cron' });
   */
  getSchedules(criteria: ScheduleCriteria = {}): Schedule[] {
    const where: string[] = [];
    const params: SqlStorageValue[] = [];
    if (criteria.id !== undefined) (where.push('id = ?'), params.push(criteria.id));
    if (criteria.type !== undefined) (where.push('type = ?'), params.push(criteria.type));
    const start = criteria.timeRange?.start;
    const end = criteria.timeRange?.end;
    if (start !== undefined) (where.push('time >= ?'), params.push(start.getTime()));
    if (end !== undefined) (where.push('time <= ?'), params.push(end.getTime()));
    const sql = `SELECT * FROM ${TABLE}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time, id`;
    return this.#sql()
      .exec<Row>(sql, ...params)
      .toArray()
      .map((row) => this.#toSchedule(row));
  }

  /** Removes a schedule; returns it, or `undefined` when there was none. */
  cancelSchedule(id: string): Schedule | undefined {
    const schedule = this.getSchedule(id);
    if (!schedule) return undefined;
    this.#sql().exec(`DELETE FROM ${TABLE} WHERE id = ?`, id);
    this.#syncNativeAlarm();
    return schedule;
  }

  /**
   * Runs schedules and returns the ids that ran successfully. Without `count`: every overdue one.
   * With `count`: the next `count` in `(time, id)` order, due or not (fast-forward for tests).
   * @example const ran = await this.svc.alarms.triggerAlarms(1);
   */
  async triggerAlarms(count?: number): Promise<string[]> {
    if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new RangeError(`triggerAlarms(count): expected a positive integer, got ${String(count)}`);
    const sql = this.#sql();
    const ran: string[] = [];
    try {
      if (count === undefined) {
        const due = sql.exec<{ id: string; rev: string }>(`SELECT id, rev FROM ${TABLE} WHERE time <= ? ORDER BY time, id`, Date.now()).toArray();
        for (const { id, rev } of due) {
          const row = sql.exec<Row>(`SELECT * FROM ${TABLE} WHERE id = ? AND rev = ?`, id, rev).toArray()[0];
          if (row && (await this.#run(row))) ran.push(id);
        }
      } else {
        for (let i = 0; i < count; i++) {
          const row = sql.exec<Row>(`SELECT * FROM ${TABLE} ORDER BY time, id LIMIT 1`).toArray()[0];
          if (!row) break;
          if (await this.#run(row)) ran.push(row.id);
        }
      }
    } finally {
      this.#syncNativeAlarm();
    }
    return ran;
  }

  /** Runs every overdue schedule (what the native alarm does). */
  async alarm(_info?: AlarmInvocationInfo): Promise<void> {
    await this.triggerAlarms();
  }

  /** Runs one handler; afterwards a one-shot is deleted and a cron moves past now. */
  async #run(row: Row): Promise<boolean> {
    const key = `${row.id}:${row.rev}`;
    if (this.#running.has(key)) return false;
    this.#running.add(key);
    try {
      return await this.#attempt(row);
    } finally {
      this.#running.delete(key);
    }
  }

  async #attempt(row: Row): Promise<boolean> {
    let ok = false;
    try {
      const chain = decodeOperationChain(parse(row.operation_chain));
      const context = row.call_context ? receiveCallContext(parse(row.call_context) as WireCallContext) : this.#freshContext();
      await runWithCallContext(context, () =>
        row.transactional
          ? this.ctx.storage.transactionSync(() => executeOperationChainSync(chain, this.doInstance, LOCAL))
          : executeOperationChain(chain, this.doInstance, LOCAL),
      );
      ok = true;
      if (this.#log.enabled) this.#log.debug('alarm handler ran', { id: row.id });
    } catch (error) {
      this.#log.error('alarm handler failed', { id: row.id, type: row.type, operationChain: row.operation_chain, error });
    }
    const sql = this.#sql();
    if (row.type === 'cron') {
      sql.exec(`UPDATE ${TABLE} SET time = ? WHERE id = ? AND rev = ?`, nextCronTime(row.cron!, new Date(Date.now())), row.id, row.rev);
    } else {
      // Only this revision: a handler may have re-used its own id for a new schedule.
      sql.exec(`DELETE FROM ${TABLE} WHERE id = ? AND rev = ?`, row.id, row.rev);
    }
    return ok;
  }

  /** Without a captured context, the handler runs in a fresh context that originates here. */
  #freshContext(): CallContext {
    const lmz = (this.doInstance as { lmz?: { bindingName?: string; instanceNameOrId?: string } }).lmz;
    const self: NodeIdentity = { type: 'LumenizeDO', bindingName: lmz?.bindingName ?? '', instanceName: lmz?.instanceNameOrId ?? this.ctx.id.toString() };
    return receiveCallContext({ callChain: [self], state: {} });
  }

  #toSchedule(row: Row): Schedule {
    const base = { id: row.id, type: row.type, time: row.time, operationChain: decodeOperationChain(parse(row.operation_chain)) };
    if (row.type === 'delayed') return { ...base, type: 'delayed', delayInSeconds: row.delay_in_seconds! };
    if (row.type === 'cron') return { ...base, type: 'cron', cron: row.cron! };
    return { ...base, type: 'scheduled' };
  }

  /** Native alarm = earliest pending time (even if past, so it fires now), or none. */
  #syncNativeAlarm(): void {
    const next = this.#sql().exec<{ time: number }>(`SELECT time FROM ${TABLE} ORDER BY time, id LIMIT 1`).toArray()[0];
    const storage = this.ctx.storage;
    const pending = next ? storage.setAlarm(next.time) : storage.deleteAlarm();
    pending.catch((error: unknown) => this.#log.error('native alarm update failed', { error }));
  }
}

declare global {
  interface LumenizeServices {
    /** Dated, delayed and cron schedules on the one native alarm; see docs/mesh.md#alarms. */
    alarms: Alarms;
  }
}

registerBuiltInService('alarms', Alarms);
