import { describe, expect, it } from 'vitest'
import { readAccessConfig } from './access-config'
import { orgForEmail, parseOrgRules } from './access-org-rules'

const TEAM = 'https://acme.cloudflareaccess.com'

describe('the Access settings', () => {
  it('are off, with nothing to say, when none is set', () => {
    expect(readAccessConfig({})).toEqual({ access: null, problem: null })
    expect(readAccessConfig({ ACCESS_TEAM_DOMAIN: ' ', ACCESS_AUD: '' })).toEqual({ access: null, problem: null })
  })

  it('turn on with the team domain and audience, in any of the ways the dashboard shows the domain', () => {
    for (const domain of [TEAM, `${TEAM}/`, 'acme.cloudflareaccess.com', ' ACME.cloudflareaccess.com ']) {
      const { access, problem } = readAccessConfig({ ACCESS_TEAM_DOMAIN: domain, ACCESS_AUD: 'aud1, aud2 ,', ACCESS_ORG_RULES: 'Example.com=acme,\n@example.org = acme-eu' })
      expect(problem).toBeNull()
      expect(access).toEqual({
        teamDomain: TEAM,
        certsUrl: `${TEAM}/cdn-cgi/access/certs`,
        audiences: ['aud1', 'aud2'],
        orgRules: [
          { domain: 'example.com', org: 'acme' },
          { domain: 'example.org', org: 'acme-eu' },
        ],
      })
    }
  })

  it('say which setting is missing or wrong, and stay off', () => {
    const problem = (vars: Record<string, string>) => {
      const read = readAccessConfig(vars)
      expect(read.access).toBeNull()
      return read.problem
    }
    expect(problem({ ACCESS_TEAM_DOMAIN: TEAM })).toMatch(/^ACCESS_TEAM_DOMAIN is set but ACCESS_AUD is not/)
    expect(problem({ ACCESS_AUD: 'aud' })).toMatch(/^ACCESS_AUD is set but ACCESS_TEAM_DOMAIN is not/)
    expect(problem({ ACCESS_ORG_RULES: 'example.com=acme' })).toMatch(/^ACCESS_ORG_RULES is set but/)
    expect(problem({ ACCESS_TEAM_DOMAIN: 'http://acme.cloudflareaccess.com', ACCESS_AUD: 'aud' })).toMatch(/must use https/)
    expect(problem({ ACCESS_TEAM_DOMAIN: `${TEAM}/cdn-cgi/access/certs`, ACCESS_AUD: 'aud' })).toMatch(/must be the team's address/)
    expect(problem({ ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: 'aud one' })).toMatch(/^ACCESS_AUD: "aud one" is not an audience tag/)
    expect(problem({ ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: 'aud', ACCESS_ORG_RULES: 'example.com' })).toBe('ACCESS_ORG_RULES: the entry "example.com" must be "<email domain>=<org>", e.g. "example.com=acme"')
  })

  it('allow plain HTTP only for a team served on this machine (local runs and tests)', () => {
    expect(readAccessConfig({ ACCESS_TEAM_DOMAIN: 'http://127.0.0.1:8787', ACCESS_AUD: 'aud' }).access?.certsUrl).toBe('http://127.0.0.1:8787/cdn-cgi/access/certs')
  })
})

describe('org rules', () => {
  it('refuse an entry that is not a domain and an org slug, naming it', () => {
    expect(() => parseOrgRules('example=acme')).toThrow('"example" in "example=acme" is not an email domain')
    expect(() => parseOrgRules('example.com=Acme Corp')).toThrow('the org "Acme Corp" in "example.com=Acme Corp" must be lowercase')
    expect(() => parseOrgRules('example.com=a=b')).toThrow('must be "<email domain>=<org>"')
    expect(() => parseOrgRules('example.com=a, EXAMPLE.com=b')).toThrow('"example.com" has more than one rule')
  })

  it("give an email its domain's org, else the catch-all's, else none", () => {
    const rules = parseOrgRules('example.com=acme, *=guests')
    expect(orgForEmail(rules, 'Ana@EXAMPLE.com')).toBe('acme')
    expect(orgForEmail(rules, 'bo@eng.example.com')).toBe('guests')
    expect(orgForEmail(parseOrgRules('example.com=acme'), 'bo@example.org')).toBeNull()
    expect(orgForEmail(parseOrgRules(''), 'bo@example.org')).toBeNull()
  })
})
