/**
 * @module The org a person signing in through Cloudflare Access joins on first sign-in: rules from
 * email domain to org name (`ACCESS_ORG_RULES`, e.g. `example.com=acme, example.org=acme-eu, *=guests`).
 */

/** One rule: people whose email is at `domain` (or anyone, for `*`) join the org named `org`. */
export type OrgRule = { domain: string; org: string }

/** The org names `POST /users` accepts: a slug of at most 64 characters. */
const ORG_NAME = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/
/** A host name with at least one dot: labels of letters, digits and inner hyphens. */
const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/

/**
 * The rules a setting lists, comma- or newline-separated; throws an Error whose message names the entry
 * that is wrong and what would be right.
 * @example parseOrgRules('example.com=acme, *=guests') // [{ domain: 'example.com', org: 'acme' }, { domain: '*', org: 'guests' }]
 */
export function parseOrgRules(text: string): OrgRule[] {
  const rules: OrgRule[] = []
  for (const entry of text.split(/[,\n]/).map((e) => e.trim()).filter(Boolean)) {
    const [rawDomain, rawOrg, ...rest] = entry.split('=').map((part) => part.trim())
    const domain = rawDomain!.toLowerCase().replace(/^@/, '')
    const org = rawOrg ?? ''
    if (rest.length > 0 || !org) throw new Error(`the entry "${entry}" must be "<email domain>=<org>", e.g. "example.com=acme"`)
    if (domain !== '*' && !DOMAIN.test(domain)) throw new Error(`"${rawDomain}" in "${entry}" is not an email domain (e.g. "example.com"), nor "*" for any domain`)
    if (org.length > 64 || !ORG_NAME.test(org)) throw new Error(`the org "${org}" in "${entry}" must be lowercase letters and digits joined by single "-" or "_", at most 64 characters`)
    if (rules.some((r) => r.domain === domain)) throw new Error(`"${domain}" has more than one rule; keep one`)
    rules.push({ domain, org })
  }
  return rules
}

/**
 * The org `email` joins by `rules`: its domain's rule, else the `*` rule, else none (null).
 * @example orgForEmail([{ domain: 'example.com', org: 'acme' }], 'Ana@Example.com') // 'acme'
 */
export function orgForEmail(rules: readonly OrgRule[], email: string): string | null {
  const at = email.lastIndexOf('@')
  if (at < 0) return null
  const domain = email.slice(at + 1).toLowerCase()
  return (rules.find((r) => r.domain === domain) ?? rules.find((r) => r.domain === '*'))?.org ?? null
}
