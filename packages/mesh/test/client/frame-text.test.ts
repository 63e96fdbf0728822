/**
 * The one-pass frame helpers of the 10 KB path (issue 18, bench/mesh-client "10 KB echo"): a batch
 * is built into one string with its resume fields (FrameText), its size summed from the sizes
 * already counted, and the gateway reads a batch's inner frames and their chains in one pass.
 * Each must give exactly what the slower form it replaces gives.
 */
import { describe, expect, it } from 'vitest';
import { batchBody, batchFrameText, compactBatchBody, compactBatchFrame, groupFrames, singleFrame } from '../../src/client/frame-batcher.ts';
import { utf8Length } from '../../src/client/frames.ts';
import { batchElementTexts, memberText } from '../../src/gateway/member-text.ts';
import { responseBody, responseFrame } from '../../src/gateway/response-body.ts';
import { compactCallBody, compactCallRest } from '../../src/wire/frames.ts';

const bytes = (s: string) => new TextEncoder().encode(s).length;

describe('FrameText', () => {
  const bodies = ['{"t":"r","i":1,"j":"é"}', '{"type":"incoming_call","callId":"x","chain":{}}', '{"t":"r","i":2,"j":[1,"😀"]}'];
  const sizes = bodies.map(bytes);

  it('a batch built with its tail equals the body with the tail spliced in, and its size is exact', () => {
    const tail = ',"seq":4,"ack":3}';
    for (const [frame, body] of [
      [compactBatchFrame(bodies, 'r', sizes), compactBatchBody(bodies, 'r')],
      [batchFrameText(bodies, sizes), batchBody(bodies)],
    ] as const) {
      expect(frame.build(tail)).toBe(`${body.slice(0, -1)}${tail}`);
      expect(frame.build('}')).toBe(body);
      expect(frame.bytes).toBe(bytes(body));
    }
    expect(compactBatchFrame(bodies, 'r').bytes).toBeUndefined();
    expect(compactBatchFrame(bodies, 'r', [sizes[0], undefined, sizes[2]]).bytes).toBeUndefined();
  });

  it('a body given apart from its kind prefix joins the batch as the trimmed body would', () => {
    const rests = bodies.map((b) => (b.startsWith('{"t":"r",') ? b.slice('{"t":"r",'.length) : undefined));
    const frame = compactBatchFrame(bodies, 'r', sizes, rests);
    expect(frame.build('}')).toBe(compactBatchBody(bodies, 'r'));
    expect(frame.bytes).toBe(bytes(compactBatchBody(bodies, 'r')));
    expect(frame.compact).toBe(true);
  });

  it('a single frame keeps its body; groupFrames carries the known sizes to the batch', () => {
    expect(singleFrame('{"t":"a","a":1}').compact).toBe(true);
    expect(singleFrame('{"type":"ack"}').build(',"seq":1}')).toBe('{"type":"ack","seq":1}');
    const groups = groupFrames(bodies, (b) => b, 1_048_576, (b, s) => compactBatchFrame(b, 'r', s), bytes);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.frame.bytes).toBe(bytes(compactBatchBody(bodies, 'r')));
  });

  it('a compact call body is its kind prefix and its rest', () => {
    const chain: [0, unknown[]] = [0, [['echo', [{ a: 'ü' }]]]];
    expect(compactCallBody(7, '1', chain, true)).toBe(`{"t":"c",${compactCallRest(7, '1', chain, true)}`);
  });

  it('responseFrame: the body responseBody gives, its exact size when the result is ASCII, and its rest', () => {
    const ok = { type: 'call_response', callId: '7', success: true };
    for (const text of ['[0,{"a":[1,2]}]', '[1,{"root":2,"objects":[]}]', '[0,"é"]']) {
      const framed = responseFrame(ok, text, 2);
      expect(framed.body).toBe(responseBody(ok, text, 2));
      expect(framed.body).toBe(`{"t":"r",${framed.rest}`);
      if (framed.bytes !== undefined) expect(framed.bytes).toBe(bytes(framed.body));
    }
    expect(responseFrame(ok, '[0,"é"]', 2).bytes).toBeUndefined();
    expect(responseFrame(ok, '[0,2]', 2).bytes).toBe(bytes('{"t":"r","i":7,"j":2}'));
    expect(responseFrame(ok, '[0,2]', 1).rest).toBeUndefined();
  });

  it('utf8Length counts UTF-8 bytes for ASCII and non-ASCII text', () => {
    for (const s of ['', 'abc', 'é', '😀x', 'a\u0800b', 'x'.repeat(70_000) + 'é']) expect(utf8Length(s)).toBe(bytes(s));
    // Lone surrogates are encoded as U+FFFD (3 bytes); the character after one is counted as itself.
    for (const s of ['\ud800', '\ud800é', '\udc00x', 'a\ud83d', '\ud83d\ud83d\ude00']) expect(utf8Length(s)).toBe(bytes(s));
  });
});

describe('batchElementTexts', () => {
  it('gives, in one pass, what memberText on each element of memberText(text, list) gives', () => {
    const texts = [
      '{"t":"b","f":[{"i":1,"d":1,"o":[["echo",[{"x":"}]\\""}]]]},{"i":2,"c":[2,{"root":0,"objects":[]}],"o":[]}],"s":3,"a":1}',
      ' { "t" : "b" , "f" : [ 1 , "x" , [ ] , { } , { "o" : null , "o" : [ 2 ] } ] } ',
      '{"f":[{"i":1}],"\\u0066":[{"chain":{"root":1,"objects":[]}}]}',
      '{"frames":[{"type":"call","callId":"a","binding":"B","chain":{"root":0,"objects":[]}}]}',
      '{"f":{"not":"an array"}}',
      '{"t":"a"}',
    ];
    for (const text of texts) {
      for (const list of ['f', 'frames']) {
        const got = batchElementTexts(text, list, ['o', 'c', 'chain']);
        const listText = memberText(text, list);
        const parsed = JSON.parse(text) as Record<string, unknown>;
        if (!Array.isArray(parsed[list])) {
          expect(got, text).toBeUndefined();
          continue;
        }
        expect(got, text).toHaveLength((parsed[list] as unknown[]).length);
        got!.forEach((element, i) => {
          expect(JSON.parse(element.text)).toEqual((parsed[list] as unknown[])[i]);
          expect(listText).toContain(element.text);
          for (const name of ['o', 'c', 'chain']) expect(element.members.get(name), `${text} ${name}`).toBe(memberText(element.text, name));
        });
      }
    }
  });
});
