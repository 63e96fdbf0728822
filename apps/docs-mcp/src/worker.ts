/**
 * The docs MCP server: `docs/` through @lumenize/mcp, with tools `search` and `read`, and each page
 * as a resource (`lumenize-docs://docs/<file>`). The docs are public, so sessions are anonymous.
 * Run it with `npm run docs-mcp` and point an MCP client at http://127.0.0.1:8788/mcp.
 */
import { routeMcpRequest, tool, type McpResources } from '@lumenize/mcp';
import { LumenizeDO } from '@lumenize/mesh';
import { z } from 'zod';
import full from '../../../docs/llms-full.txt';
import { parsePages, searchPages } from './docs.ts';

const pages = parsePages(full);
const URI = 'lumenize-docs://docs/';

const resources: McpResources = {
  list: () => pages.map((p) => ({ uri: `${URI}${p.file}`, name: p.file, title: p.title, mimeType: 'text/markdown' })),
  read: (uri) => {
    const page = uri.startsWith(URI) ? pages.find((p) => p.file === uri.slice(URI.length)) : undefined;
    return page ? { uri, mimeType: 'text/markdown', text: page.text } : undefined;
  },
};

export class DocsMcp extends LumenizeDO {
  override async fetch(request: Request): Promise<Response> {
    return this.svc.mcp.fetch(request, {
      serverInfo: { name: 'lumenize-docs', version: '0.1.0' },
      instructions: 'Lumenize documentation. Use search to find pages, read to get one page in full.',
      allowAnonymous: true,
      resources,
    });
  }

  @tool({ description: 'Searches the Lumenize docs; returns matching pages with matching lines', input: z.object({ query: z.string().min(1).max(200) }) })
  search({ query }: { query: string }): { hits: ReturnType<typeof searchPages> } {
    return { hits: searchPages(pages, query) };
  }

  @tool({ description: 'Reads one Lumenize docs page in full (file name as given by search, e.g. mesh.md)', input: z.object({ page: z.string().regex(/^[A-Za-z0-9._-]+\.md$/) }) })
  read({ page }: { page: string }): string {
    const found = pages.find((p) => p.file === page);
    if (!found) throw new Error(`No docs page '${page}'; pages: ${pages.map((p) => p.file).join(', ')}`);
    return found.text;
  }
}

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    return (await routeMcpRequest(request, env, { binding: 'DOCS_MCP', public: true })) ?? new Response('Lumenize docs MCP server: POST /mcp', { status: 404 });
  },
} satisfies ExportedHandler<Record<string, unknown>>;
