/**
 * Hash routes (`#/files/file-…`), so the console's paths never meet the API's, which share the origin.
 */
import { useEffect, useState } from 'preact/hooks'

export type Route = { name: string; id?: string }

export function parseRoute(hash: string): Route {
  const [name = 'files', id] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent)
  return { name: name || 'files', ...(id ? { id } : {}) }
}

export function go(name: string, id?: string) {
  location.hash = `#/${name}${id ? `/${encodeURIComponent(id)}` : ''}`
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash))
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash))
    addEventListener('hashchange', onChange)
    return () => removeEventListener('hashchange', onChange)
  }, [])
  return route
}
