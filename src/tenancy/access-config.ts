/**
 * @module The Cloudflare Access settings (`ACCESS_TEAM_DOMAIN`, `ACCESS_AUD`, `ACCESS_ORG_RULES`), read
 * and checked once: Access sign-in is on when the team domain and audience are both set and valid.
 */
import { parseOrgRules, type OrgRule } from './access-org-rules'

export type AccessConfig = {
  /** The team's origin, e.g. `https://acme.cloudflareaccess.com`: an assertion's `iss` must be exactly this. */
  teamDomain: string
  /** Where the team publishes its signing keys: `<teamDomain>/cdn-cgi/access/certs`. */
  certsUrl: string
  /** The Access applications' audience tags; an assertion must name one of them in `aud`. */
  audiences: string[]
  /** Which org a new email joins on first sign-in; an email no rule covers must already be a user. */
  orgRules: OrgRule[]
}

export type AccessVars = { ACCESS_TEAM_DOMAIN?: string; ACCESS_AUD?: string; ACCESS_ORG_RULES?: string }

/**
 * Access as configured (null when it is off), and why it is off when it was asked for but a setting is
 * wrong. A wrong setting turns Access off rather than failing every request: bearer tokens still work,
 * and an Access request is told what the operator must fix.
 * @example readAccessConfig({ ACCESS_TEAM_DOMAIN: 'https://acme.cloudflareaccess.com', ACCESS_AUD: '4714c1…' }).access?.certsUrl
 */
export function readAccessConfig(vars: AccessVars): { access: AccessConfig | null; problem: string | null } {
  const team = vars.ACCESS_TEAM_DOMAIN?.trim() ?? ''
  const aud = vars.ACCESS_AUD?.trim() ?? ''
  const rules = vars.ACCESS_ORG_RULES?.trim() ?? ''
  if (!team && !aud) return { access: null, problem: rules ? 'ACCESS_ORG_RULES is set but ACCESS_TEAM_DOMAIN and ACCESS_AUD are not' : null }
  if (!team) return { access: null, problem: 'ACCESS_AUD is set but ACCESS_TEAM_DOMAIN is not (e.g. https://<team>.cloudflareaccess.com)' }
  if (!aud) return { access: null, problem: "ACCESS_TEAM_DOMAIN is set but ACCESS_AUD is not (the Access application's Application Audience (AUD) tag)" }
  try {
    const teamDomain = teamOrigin(team)
    const audiences = aud.split(',').map((a) => a.trim()).filter(Boolean)
    const spaced = audiences.find((a) => /\s/.test(a))
    if (spaced !== undefined) throw new Error(`ACCESS_AUD: "${spaced}" is not an audience tag; separate several with commas`)
    let orgRules: OrgRule[]
    try {
      orgRules = parseOrgRules(rules)
    } catch (err) {
      throw new Error(`ACCESS_ORG_RULES: ${(err as Error).message}`)
    }
    return { access: { teamDomain, certsUrl: `${teamDomain}/cdn-cgi/access/certs`, audiences, orgRules }, problem: null }
  } catch (err) {
    return { access: null, problem: (err as Error).message }
  }
}

/** Hosts that may be reached over plain HTTP: a JWKS served on this machine, for local runs and tests. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** `acme.cloudflareaccess.com` or `https://acme.cloudflareaccess.com/` → `https://acme.cloudflareaccess.com`. */
function teamOrigin(value: string): string {
  const wrong = `ACCESS_TEAM_DOMAIN "${value}" must be the team's address, e.g. https://acme.cloudflareaccess.com`
  let url: URL
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`)
  } catch {
    throw new Error(wrong)
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) throw new Error(wrong)
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) throw new Error(`ACCESS_TEAM_DOMAIN "${value}" must use https`)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(wrong)
  return url.origin
}
