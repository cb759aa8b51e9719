/**
 * @module The address guard a web source runs under, from config: deployed, every host is resolved
 * (DNS over HTTPS) and refused when any address is private, loopback or link-local; a local run
 * (`SOURCES_ALLOW_LOOPBACK`) lets loopback through, so a laptop can index a site it serves itself.
 */
import type { Config } from '../../config'
import { dohResolver, type UrlGuard } from './url-guard'

export function urlGuardOf(config: Pick<Config, 'sourcesAllowLoopback'>, fetcher: typeof fetch): UrlGuard {
  return { allowLoopback: config.sourcesAllowLoopback, resolve: config.sourcesAllowLoopback ? null : dohResolver(fetcher) }
}
