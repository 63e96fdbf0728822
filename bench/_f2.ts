import { stringify, parse } from '@lumenize/structured-clone';
import { SHAPES } from './structured-clone/fixtures.ts';
const v = SHAPES.find((s) => s.id.startsWith(process.argv[2] ?? 'F2'))!.make();
const text = stringify(v);
const mode = process.argv[3] ?? 'both';
const t0 = performance.now(); let n = 0;
while (performance.now() - t0 < 4000) { for (let i = 0; i < 100; i++) { if (mode !== 'parse') stringify(v); if (mode !== 'stringify') parse(text); } n += 100; }
console.log(n, ((performance.now() - t0) / n * 1000).toFixed(2), 'us per iteration');
