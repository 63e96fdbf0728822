/**
 * The Lumenize docs as pages, read from docs/llms-full.txt (generated from docs/*.md, bundled as
 * text): one page per `<!-- docs/<file> -->` section. Search is plain case-insensitive term matching.
 */
export interface DocPage {
  /** `mesh.md` */
  file: string;
  title: string;
  text: string;
}

export function parsePages(full: string): DocPage[] {
  const pages: DocPage[] = [];
  const parts = full.split(/^<!-- docs\/([A-Za-z0-9._-]+\.md) -->$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const text = parts[i + 1].trim();
    const title = /^# (.+)$/m.exec(text)?.[1] ?? parts[i];
    pages.push({ file: parts[i], title, text });
  }
  return pages;
}

export interface SearchHit {
  file: string;
  title: string;
  /** The matching lines (at most 5 per page), each cut to 200 characters. */
  lines: string[];
  score: number;
}

/** Pages that contain every term of `query`, best first (most matching lines). */
export function searchPages(pages: readonly DocPage[], query: string, limit = 10): SearchHit[] {
  const terms = query.toLowerCase().split(/\s+/).filter((t) => t !== '');
  if (terms.length === 0) return [];
  const hits: SearchHit[] = [];
  for (const page of pages) {
    const lower = page.text.toLowerCase();
    if (!terms.every((t) => lower.includes(t))) continue;
    const matching = page.text.split('\n').filter((line) => terms.some((t) => line.toLowerCase().includes(t)));
    hits.push({ file: page.file, title: page.title, lines: matching.slice(0, 5).map((l) => l.slice(0, 200)), score: matching.length });
  }
  return hits.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file)).slice(0, limit);
}
