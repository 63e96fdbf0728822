/**
 * docs/getting-started.md as a list of steps a test can replay. A step is a `## N. Title` section;
 * its actions, in page order, are
 * - a fenced block whose info string carries `file=<path>` (```ts no-check file=src/x.ts): write the
 *   block as that project file, replacing what is there. The reader cannot see an info string, so
 *   the line above the block must show the path: **`src/x.ts`**;
 * - each line of a ```sh block (a trailing `# comment` dropped): run that command.
 * Other blocks (diagrams, the esbuild excerpt) are shown, not replayed. The prose is what is left.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const guidePath = join(repo, 'docs/getting-started.md');

export type GuideAction =
  | { kind: 'write'; path: string; content: string; line: number; /** the last non-empty line above the block */ label: string }
  | { kind: 'run'; command: string; line: number };

export interface GuideStep {
  n: number;
  title: string;
  /** The section's text outside code blocks. */
  prose: string;
  actions: GuideAction[];
}

/** The commands a replay knows how to run, with what each one means. */
export const REPLAY_COMMANDS: Array<{ pattern: RegExp; means: string }> = [
  { pattern: /^npm create lumenize@latest [\w.-]+( -- .+)?$/, means: 'the scaffolder (packed, until published)' },
  { pattern: /^cd [\w.-]+$/, means: 'into the project' },
  { pattern: /^rm( [\w./-]+)+$/, means: 'delete project files (each must exist)' },
  { pattern: /^npm (start|test|run typecheck)$/, means: "the project's scripts" },
];

/** Parses the guide (or another page in its format) into steps. */
export function guideSteps(markdown = readFileSync(guidePath, 'utf8')): GuideStep[] {
  const steps: Array<GuideStep & { proseLines: string[] }> = [];
  const lines = markdown.split('\n');
  let step: (GuideStep & { proseLines: string[] }) | undefined;
  for (let i = 0; i < lines.length; i++) {
    const heading = /^## (\d+)\. (.+)$/.exec(lines[i]!);
    if (heading) {
      step = { n: Number(heading[1]), title: heading[2]!, prose: '', actions: [], proseLines: [] };
      steps.push(step);
      continue;
    }
    if (/^## /.test(lines[i]!)) {
      step = undefined;
      continue;
    }
    const fence = /^```(\S*)(.*)$/.exec(lines[i]!);
    if (!fence) {
      step?.proseLines.push(lines[i]!);
      continue;
    }
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    const nested = lines.slice(start, end).findIndex((l) => /^```\S/.test(l));
    if (end === lines.length || nested >= 0) throw new Error(`line ${i + 1}: a code block is not closed before ${nested >= 0 ? `the block at line ${start + nested + 1}` : 'the end'}`);
    const body = lines.slice(start, end);
    i = end;
    if (!step) continue;
    const file = /(?:^|\s)file=(\S+)/.exec(fence[2]!)?.[1];
    if (file) {
      const label = lines.slice(0, start - 1).reverse().find((l) => l.trim() !== '') ?? '';
      step.actions.push({ kind: 'write', path: file, content: body.join('\n') + '\n', line: start, label });
    } else if (fence[1] === 'sh') {
      body.forEach((text, k) => {
        const command = text.replace(/\s+#.*$/, '').trim();
        if (command) step!.actions.push({ kind: 'run', command, line: start + k + 1 });
      });
    }
  }
  return steps.map(({ proseLines, ...s }) => ({ ...s, prose: proseLines.join('\n') }));
}

/** Why a guide cannot be replayed (empty when it can): unknown commands, paths outside the project. */
export function replayProblems(steps: GuideStep[]): string[] {
  const problems: string[] = [];
  steps.forEach((s, k) => {
    if (s.n !== k) problems.push(`step ${s.n} should be numbered ${k}`);
    for (const a of s.actions) {
      if (a.kind === 'run' && !REPLAY_COMMANDS.some((c) => c.pattern.test(a.command))) problems.push(`line ${a.line}: the replay does not know '${a.command}'`);
      if (a.kind === 'write' && (a.path.startsWith('/') || a.path.split('/').includes('..'))) problems.push(`line ${a.line}: file=${a.path} is outside the project`);
      if (a.kind === 'write' && a.label !== `**\`${a.path}\`**`) problems.push(`line ${a.line}: the line above file=${a.path} must show it: **\`${a.path}\`**`);
      if (a.kind === 'run' && a.command.startsWith('rm ') && a.command.split(' ').slice(1).some((p) => p.startsWith('/') || p.split('/').includes('..'))) problems.push(`line ${a.line}: '${a.command}' reaches outside the project`);
    }
  });
  return problems;
}
