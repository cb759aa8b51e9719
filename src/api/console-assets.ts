/**
 * @module The web console on the API's origin: a browser asking for `/` gets the console's page, and
 * `/console/*` its scripts and styles, from the Worker's static assets (console/dist). Everything else
 * goes to the API, so an API client never meets the console. Every console answer carries a strict
 * Content-Security-Policy: nothing but this origin, so a signed-in token cannot be sent anywhere else.
 */

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Page pictures and downloads are fetched with the token, then shown from blob: URLs.
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}

type Handler<E> = (request: Request, env: E, ctx: ExecutionContext) => Response | Promise<Response>

/** A browser's request for the console's page: `GET /` (or `/index.html`) that accepts HTML. */
function wantsConsolePage(request: Request, path: string): boolean {
  return (path === '/' || path === '/index.html') && (request.headers.get('accept') ?? '').includes('text/html')
}

/** Wraps the API's handler: console requests are answered from `env.ASSETS`, the rest pass through. */
export function withConsole<E extends { ASSETS?: Fetcher }>(api: Handler<E>): Handler<E> {
  return async (request, env, ctx) => {
    const url = new URL(request.url)
    const isRead = request.method === 'GET' || request.method === 'HEAD'
    const isAsset = url.pathname.startsWith('/console/')
    if (!env.ASSETS || !isRead || !(isAsset || wantsConsolePage(request, url.pathname))) return api(request, env, ctx)
    const assetUrl = new URL(isAsset ? url.pathname : '/index.html', url)
    const asset = await env.ASSETS.fetch(new Request(assetUrl, { method: request.method, headers: request.headers }))
    if (asset.status === 404 && isAsset) return api(request, env, ctx)
    const response = new Response(asset.body, asset)
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value)
    // The page is small and names unhashed assets: revalidate each time (ETags make that cheap).
    response.headers.set('cache-control', 'no-cache')
    return response
  }
}
