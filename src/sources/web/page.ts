/**
 * @module A fetched HTML page as the crawl keeps it: Markdown of its main content (site chrome and
 * scripts left out), its title, the links to follow, and what its robots meta tag asks.
 */
import { NodeHtmlMarkdown } from 'node-html-markdown'
import { parse, type HTMLElement } from 'node-html-parser'

export type Page = {
  title: string | null
  markdown: string
  /** Absolute http(s) URLs without fragments, deduplicated, in document order; rel=nofollow links left out. */
  links: string[]
  noindex: boolean
  nofollow: boolean
}

/** Never content: code, styling, embedded frames and pictures, and the page's own navigation. */
const NEVER_CONTENT = 'script, style, noscript, template, svg, canvas, iframe, object, embed, img, picture, video, audio, nav, [role=navigation]'
/**
 * Form controls go but forms stay: some frameworks (ASP.NET Web Forms) wrap the whole page in one
 * `<form>`, and dropping it would drop everything.
 */
const FORM_CONTROLS = 'input, select, textarea, button'

const markdownWriter = new NodeHtmlMarkdown({ bulletMarker: '-', maxConsecutiveNewlines: 2 })

/**
 * Reads `html`, served at `pageUrl`.
 *
 * @example
 * htmlToPage('<title>Hi</title><p>See <a href="/b">b</a></p>', 'https://example.com/a')
 * // { title: 'Hi', markdown: '# Hi\n\nSee b', links: ['https://example.com/b'], noindex: false, nofollow: false }
 */
export function htmlToPage(html: string, pageUrl: string): Page {
  const root = parse(html, { comment: false, lowerCaseTagName: true })
  const title = titleOf(root)
  const { noindex, nofollow } = robotsMetaOf(root)
  const links = linksOf(root, baseOf(root, pageUrl))
  const body = markdownOf(contentOf(root))
  const markdown = title && !/^#{1,6}\s/.test(body) ? `# ${title}\n\n${body}`.trim() : body
  return { title, markdown, links, noindex, nofollow }
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim()

function titleOf(root: HTMLElement): string | null {
  const title = collapse(root.querySelector('title')?.text ?? '')
  if (title) return title
  return collapse(root.querySelector('h1')?.text ?? '') || null
}

/** `<meta name="robots" content="noindex, nofollow">`; `none` means both. */
function robotsMetaOf(root: HTMLElement): { noindex: boolean; nofollow: boolean } {
  const directives = new Set<string>()
  for (const meta of root.querySelectorAll('meta')) {
    if (meta.getAttribute('name')?.trim().toLowerCase() !== 'robots') continue
    for (const token of (meta.getAttribute('content') ?? '').toLowerCase().split(/[\s,]+/)) if (token) directives.add(token)
  }
  const none = directives.has('none')
  return { noindex: none || directives.has('noindex'), nofollow: none || directives.has('nofollow') }
}

/** The URL relative links resolve against: `<base href>` when there is a usable one. */
function baseOf(root: HTMLElement, pageUrl: string): string {
  const href = root.querySelector('base[href]')?.getAttribute('href')
  if (!href) return pageUrl
  try {
    return new URL(href.trim(), pageUrl).href
  } catch {
    return pageUrl
  }
}

function linksOf(root: HTMLElement, base: string): string[] {
  const links = new Set<string>()
  for (const anchor of root.querySelectorAll('a[href]')) {
    const rel = (anchor.getAttribute('rel') ?? '').toLowerCase().split(/\s+/)
    if (rel.includes('nofollow')) continue
    try {
      const url = new URL(anchor.getAttribute('href')!.trim(), base)
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue
      url.hash = ''
      links.add(url.href)
    } catch {
      // An href that is not a URL leads nowhere.
    }
  }
  return [...links]
}

/**
 * The element holding what the page is about: `<main>`, else a lone `<article>`, else the body.
 * Several articles (a blog's front page) are read together from the body.
 */
function contentOf(root: HTMLElement): HTMLElement {
  const articles = root.querySelectorAll('article')
  const content = root.querySelector('main') ?? (articles.length === 1 ? articles[0]! : null) ?? root.querySelector('body') ?? root
  for (const element of content.querySelectorAll(`${NEVER_CONTENT}, ${FORM_CONTROLS}`)) element.remove()
  // The site's banner and footer are chrome; the header of a main part or an article (its title, byline) is not.
  for (const element of content.querySelectorAll('header, footer')) if (!withinMainOrArticle(element)) element.remove()
  // Link targets are the crawl's business, not the reader's: the text stays, the URL goes.
  for (const anchor of content.querySelectorAll('a[href]')) anchor.removeAttribute('href')
  return content
}

function withinMainOrArticle(element: HTMLElement): boolean {
  for (let at: HTMLElement | null = element.parentNode; at; at = at.parentNode) {
    if (at.tagName === 'MAIN' || at.tagName === 'ARTICLE') return true
  }
  return false
}

function markdownOf(content: HTMLElement): string {
  return markdownWriter
    .translate(content.innerHTML)
    .replace(/[ \t]+$/gm, '')
    .trim()
}
