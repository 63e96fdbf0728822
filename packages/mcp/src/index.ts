/**
 * @lumenize/mcp — MCP on the mesh: `svc.mcp`, one Durable Object per MCP session over Streamable
 * HTTP, tools, resources and prompts declared with `@tool` / `@resource` / `@prompt` on LumenizeDO methods. Guide: docs/mcp.md.
 */
export { McpServer, type McpServerOptions } from './server.ts';
export type { McpResource, McpResources } from './resources.ts';
export { resource, type ResourceOptions, type FixedResourceOptions, type TemplateResourceOptions, type ResourceDecorator, type ResourceReadExtra, type ResourceReturn, type ResourceContent, type ResourceSpec } from './resource.ts';
export { MAX_TEMPLATE_LENGTH, MAX_TEMPLATE_VARIABLES } from './uri-template.ts';
export { MAX_RESOURCE_CONTENTS } from './resource-contents.ts';
export { tool, type ToolOptions, type ToolDecorator, type ToolSpec, type ToolCallExtra, type ProgressSink } from './tool.ts';
export { prompt, type PromptOptions, type PromptDecorator, type PromptSpec, type PromptGetExtra, type PromptReturn } from './prompt.ts';
export { CancelledError } from './cancel.ts';
export { MAX_STORED_EVENTS, EVENT_TTL_MS } from './event-store.ts';
export { MAX_SUBSCRIPTIONS, MAX_URI_LENGTH, type McpSubscription } from './subscriptions.ts';
export { routeMcpRequest, type McpRouteOptions } from './route.ts';
export { SESSION_HEADER, PROTOCOL_HEADER } from './headers.ts';
export * from './client/index.ts';
