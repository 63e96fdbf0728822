/**
 * The gateway's one-pass read of a client frame (src/gateway/inbound-frame.ts, bench/mesh-client
 * "10 KB echo") changes nothing observable: for every text, valid or not, it gives the frame,
 * refusal and reason `parseClientFrame` gives, and the chain texts the gateway forwards are the
 * ones `memberText` / `batchElementTexts` read from the whole text. Chains inside the frame it
 * returns are stand-ins; the gateway forwards the texts.
 */
import { describe, expect, it } from 'vitest';
import { parseClientFrame, type ParseResult } from '../../src/client/frames.ts';
import { compactBatchBody } from '../../src/client/frame-batcher.ts';
import { readClientFrame } from '../../src/gateway/inbound-frame.ts';
import { batchElementTexts, memberText } from '../../src/gateway/member-text.ts';
import { compactCallBody } from '../../src/wire/frames.ts';

const CHAIN_MEMBERS = ['o', 'c', 'chain'];

/** A parse result without the chains (the one-pass read stands in for them). */
function withoutChains(r: ParseResult<unknown>): unknown {
  if (!r.ok) return r;
  const strip = (f: unknown) => {
    const { chain: _chain, ...rest } = f as Record<string, unknown>;
    return rest;
  };
  const frame = r.frame as Record<string, unknown>;
  return frame.type === 'batch' ? { ...frame, frames: (frame.frames as unknown[]).map(strip) } : strip(frame);
}

/** What the gateway reads from `text`, checked against the whole-text readers it replaces. */
function expectSameRead(text: string): void {
  const read = readClientFrame(text);
  const whole = parseClientFrame(text);
  expect(withoutChains(read.parsed), text).toStrictEqual(withoutChains(whole));
  if (!whole.ok) return;
  const frame = whole.frame;
  if (frame.type === 'batch' && frame.compact) {
    if (read.elements === undefined) return; // read the whole way: the gateway scans as before
    const elements = batchElementTexts(text, 'f', CHAIN_MEMBERS)!;
    expect(read.elements.map((e) => e.text), text).toStrictEqual(elements.map((e) => e.text));
    read.elements.forEach((e, i) => expect([...e.members].sort(), text).toStrictEqual([...elements[i]!.members].sort()));
    frame.frames.forEach((f, i) => {
      // The chain forwarded is the chain the whole parse saw.
      if (f.type !== 'call' || !f.compact) return;
      const chainText = read.elements![frame.positions[i]!]!.members.get(f.compact)!;
      expect(f.compact === 'o' ? [0, JSON.parse(chainText)] : JSON.parse(chainText), text).toStrictEqual(f.chain);
    });
  } else if (frame.type !== 'batch' && frame.type !== 'ack' && read.members) {
    for (const name of CHAIN_MEMBERS) expect(read.members.get(name), `${text} ${name}`).toBe(memberText(text, name));
    if (frame.type === 'call' && frame.compact) {
      const chainText = read.members.get(frame.compact)!;
      expect(frame.compact === 'o' ? [0, JSON.parse(chainText)] : JSON.parse(chainText), text).toStrictEqual(frame.chain);
    }
  }
}

const records = Array.from({ length: 12 }, (_, i) => ({ id: i, name: `User ${i}`, email: `u${i}@example.com`, active: i % 2 === 0, score: 0.5, tags: ['a', 'b'] }));
const calls = [
  compactCallBody(1, '[1,"COUNTER","c1"]', [0, [['echo', [records]]]], false),
  compactCallBody(2, '1', [0, [['increment', []]]], false),
  compactCallBody(3, '1', [1, [['echo', 0]], { root: ['$lmz', 0], objects: [[{ d: 1 }]] }], false),
  compactCallBody(4, '1', [2, { root: 0, objects: [] }], true),
  compactCallBody(5, '1', [0, [['echo', ['é 😀 \u2028 "q" \\ \n']]]], false),
];
const valid = [
  ...calls,
  compactBatchBody(calls, 'c'),
  `${compactBatchBody(calls, 'c').slice(0, -1)},"s":7,"a":3}`,
  '{"t":"b","f":[{"i":1,"d":1,"o":[["a",[]]]},{"type":"incoming_call_response","callId":"x","success":true,"result":{"root":1,"objects":[]}}],"s":1,"a":0}',
  '{"t":"b","f":[{"i":1,"d":1,"o":[["a",[]]],"o":[["b",[1]]]},{"i":2,"d":1,"\\u006f":[["c",[2]]]},{"i":3,"d":1,"c":[1e0,[["e",0]],{"root":[0],"objects":[]}]}]}',
  '{"t":"b","f":[{"i":1,"d":1,"c":[ 0 , [["a",[]]]]},{"i":2,"d":1,"c":[-0,[["a",[]]]]},{"i":3,"d":1,"c":[3,[]]},{"i":4,"d":1,"c":{"x":1}},{"i":5,"d":1,"o":{"not":"ops"}}]}',
  '{"t":"b","f":[{"i":1,"d":1,"o":[],"c":[0,[]]},1,"x",[],{},{"i":2}]}',
  '{"t":"b","f":[{"i":1,"d":1,"o":[["a",[]]]}],"f":[{"i":2,"d":1,"o":[["b",[]]]}]}',
  '{"t":"b","f":[{"i":1,"d":1,"o":[["a",[]]]}],"\\u0066":"not a list"}',
  '{"t":"b","f":[{"i":1,"d":1,"o":[["a",[]]]}],"type":"batch","frames":[{"type":"call","callId":"v1","binding":"B","chain":{"root":0,"objects":[]}}]}',
  '{"t":"c","i":9,"d":1,"o":[["a",[]]],"t":"b","f":[{"i":1,"d":1,"o":[["b",[]]]}]}',
  '{"t":"c","i":9,"d":[0,"B"],"o":[["a",[{"chain":1,"o":2,"c":3}]]],"type":"call","callId":"v","binding":"B","chain":{"root":0,"objects":[]}}',
  `{"t":"c","i":1,"d":1,"o":[["a",[${'['.repeat(80)}1${']'.repeat(80)}]]]}`,
  '{"t":"c","i":1,"d":1,"o":[["a",["\\ud800 lone", 1.5e-3, -0.0, 1E+2, true, false, null]]]}',
  '{"t":"c" , "i" : 1 ,\n"d":1,\t"o" :\r[ [ "a" , [ ] ] ] }  ',
  '{"t":"c","i":1,"d":1,"c":[2,{"root":0,"objects":[]}],"b":1}',
  '{"t":"b","f":[]}',
  '{"t":"c"}',
];
const invalid = [
  '{"t":"c","i":1,"d":1,"o":[["a",[01]]]}',
  '{"t":"c","i":1,"d":1,"o":[["a",[1.]]]}',
  '{"t":"c","i":1,"d":1,"o":[["a",["\\x"]]]}',
  '{"t":"c","i":1,"d":1,"o":[["a",["\u0001"]]]}',
  '{"t":"c","i":1,"d":1,"o":[["a",[tru]]]}',
  '{"t":"c","i":1,"d":1,"o":[["a",[1,]]]}',
  '{"t":"c","i":1,"d":1,"o":[["a",{"k" 1}]]}',
  '{"t":"c","i":1,"d":1,"o":[["a",[]]]}x',
  '{"t":"c","i":1,"d":1,"o":[["a",[]]]',
  '{"t":"c","i":1,"d":1,"o":[["a",["\\u12G4"]]]}',
  '{"t":"b","f":[{"i":1,"d":1,"o":[["a",[+1]]]}]}',
  '{"t":"b","f":[{"i":1,"d":1,"o":[["a",[NaN]]]}]}',
  '{"t":"b","f":[{"i":1,"d":1,"o":[["a",[\'x\']]]}]}',
];

describe('readClientFrame', () => {
  it('reads valid frames as parseClientFrame does, with the chain texts the whole-text readers find', () => {
    for (const text of valid) expectSameRead(text);
  });

  it('refuses invalid JSON exactly as parseClientFrame does (nothing hidden behind a stand-in)', () => {
    for (const text of invalid) {
      expect(readClientFrame(text).parsed, text).toStrictEqual({ ok: false, reason: 'frame is not valid JSON' });
      expectSameRead(text);
    }
  });

  it('agrees with the whole-text read on every one-character edit of real frames', () => {
    // Deterministic: a small LCG picks the edits, so a failure reproduces.
    let seed = 18;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = '{}[]":,\\ 0123456789-+.eEtrufalsnx\u0001\u00e9';
    const base = [compactBatchBody(calls.slice(0, 3), 'c'), calls[4]!, valid[8]!, valid[9]!];
    let accepted = 0;
    for (let k = 0; k < 4000; k++) {
      const source = base[k % base.length]!;
      const at = next(source.length);
      const edit = next(3);
      const ch = alphabet[next(alphabet.length)]!;
      const text = edit === 0 ? source.slice(0, at) + source.slice(at + 1) : edit === 1 ? source.slice(0, at) + ch + source.slice(at) : source.slice(0, at) + ch + source.slice(at + 1);
      expectSameRead(text);
      if (parseClientFrame(text).ok) accepted++;
    }
    // The edits reach both outcomes (the check above is not only of refusals).
    expect(accepted).toBeGreaterThan(100);
  });
});
