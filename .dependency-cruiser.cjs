/**
 * The rules Cairn's layout keeps (see ARCHITECTURE in ../shared and README "How it is built"),
 * checked by `npm run lint:deps`, which `npm test` runs (test/node/dependency-rules.test.ts).
 *
 * - The composition roots (src/deps.ts, and the Worker entries that call it: src/index.ts,
 *   workers/ingest/index.ts) are imported by no module in a folder under src: a module declares the ports it
 *   needs as a type (src/ports.ts), and a root hands them in.
 * - The filter language is pure: it imports nothing else of Cairn.
 * - Model adapters are stateless: they know config and the HTTP of their providers, nothing of
 *   storage, search, ingestion, the agent or the API.
 * - No domain imports the HTTP layer (src/api) or a Worker entry.
 * - The agent enters search through one door (src/search/index.ts): search owns every read of
 *   chunks, pages and vectors, and the agent writes no SQL over them. So do the MCP tools.
 * - The MCP server (src/mcp) is a front door beside the REST API: it calls the domains, not the
 *   API's routes, and no domain imports it.
 * - No import circles.
 */
const DOMAINS = '^src/(search|ingest|agent|tenancy|files|completions|filter|models|db|sources|usage)/'

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other cannot be understood, tested or loaded one at a time.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'filter-is-pure',
      severity: 'error',
      comment: 'The filter language is a pure function of its input: it imports nothing else of Cairn.',
      from: { path: '^src/filter/' },
      to: { path: '^src/', pathNot: '^src/filter/' },
    },
    {
      name: 'models-are-stateless',
      severity: 'error',
      comment: 'Model adapters know config and their providers, not storage, search, ingestion, the agent or the API.',
      from: { path: '^src/models/' },
      to: { path: '^src/(db|search|ingest|agent|tenancy|files|completions|api)/|^src/(deps|index)\\.ts$' },
    },
    {
      name: 'domains-do-not-speak-http',
      severity: 'error',
      comment: 'Domains throw their own typed errors; only the front doors (src/api, src/mcp) know HTTP and MCP.',
      from: { path: DOMAINS },
      to: { path: '^src/(api|mcp)/' },
    },
    {
      name: 'nothing-imports-the-roots',
      severity: 'error',
      comment: 'A module declares the ports it needs as a type (ports.ts); the composition root of each Worker entry builds them once and hands them in.',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/(deps|index)\\.ts$|^workers/' },
    },
    {
      name: 'agent-enters-search-through-its-door',
      severity: 'error',
      comment: 'Search owns every read of chunks, pages and vectors; the agent asks it through src/search/index.ts.',
      from: { path: '^src/agent/' },
      to: { path: '^src/search/', pathNot: '^src/search/index\\.ts$' },
    },
    {
      name: 'mcp-enters-search-through-its-door',
      severity: 'error',
      comment: 'The MCP tools search and read pages as the agent does, through src/search/index.ts.',
      from: { path: '^src/mcp/' },
      to: { path: '^src/search/', pathNot: '^src/search/index\\.ts$' },
    },
    {
      name: 'mcp-calls-domains-not-routes',
      severity: 'error',
      comment: 'Every front door reaches the same domain functions; the MCP tools never go through the REST routes.',
      from: { path: '^src/mcp/' },
      to: { path: '^src/api/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|/testing/|\\.wrangler/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
