import { describe, expect, it } from 'vitest'
import { htmlToPage } from './page'

const ARTICLE = `<!doctype html>
<html>
<head>
  <title>  Tide   tables &amp; charts </title>
  <meta name="description" content="x">
  <style>.x { color: red }</style>
  <script>window.secret = "script text"</script>
</head>
<body>
  <header><a href="/">Site banner</a></header>
  <nav><a href="/docs/">Docs</a> <a href="/docs/#top">Docs again</a></nav>
  <main>
    <h2>High water</h2>
    <p>Times for <a href="tides/brest?week=1#monday">Brest</a> and <a href="https://other.example/x">elsewhere</a>.</p>
    <ul><li>Spring tides</li><li>Neap tides</li></ul>
    <table>
      <thead><tr><th>Port</th><th>Height</th></tr></thead>
      <tbody><tr><td>Brest</td><td>7.2 m</td></tr><tr><td>Cherbourg</td><td>6.1 m</td></tr></tbody>
    </table>
    <form><input name="q" value="search box"><button>Go button</button></form>
    <a href="/ads" rel="sponsored nofollow">Sponsored</a>
    <a href="mailto:tides@example.com">Mail</a>
    <a href="javascript:void(0)">Nothing</a>
    <a href="tides/brest?week=1">Brest again</a>
    <noscript>Enable JavaScript</noscript>
  </main>
  <footer>© Site footer</footer>
</body>
</html>`

describe('htmlToPage', () => {
  const page = htmlToPage(ARTICLE, 'https://example.com/guide/index.html')

  it('takes the title from <title>, entities decoded and whitespace collapsed', () => {
    expect(page.title).toBe('Tide tables & charts')
  })

  it('keeps the markdown as it is when it starts with a heading', () => {
    expect(page.markdown.startsWith('## High water\n')).toBe(true)
    expect(page.markdown).not.toContain('Tide tables')
  })

  it('puts the title first as a heading when the content does not start with one', () => {
    const plain = htmlToPage('<title>Opening hours</title><body><p>Monday to <b>Friday</b>.</p><h2>Holidays</h2><p>Closed.</p></body>', 'https://example.com/')
    expect(plain.markdown).toBe('# Opening hours\n\nMonday to **Friday**.\n\n## Holidays\n\nClosed.')
  })

  it('keeps headings, lists, tables and link text of the main content', () => {
    expect(page.markdown).toContain('## High water')
    expect(page.markdown).toMatch(/^- Spring tides$/m)
    expect(page.markdown).toMatch(/\|\s*Port\s*\|\s*Height\s*\|/)
    expect(page.markdown).toMatch(/\|\s*Cherbourg\s*\|\s*6\.1 m\s*\|/)
    expect(page.markdown).toContain('Times for Brest and elsewhere.')
  })

  it('leaves out scripts, styles, chrome, form controls and link targets', () => {
    for (const absent of ['script text', 'color: red', 'Site banner', 'Docs again', 'Site footer', 'search box', 'Go button', 'Enable JavaScript', 'https://', '](']) {
      expect(page.markdown, absent).not.toContain(absent)
    }
  })

  it('resolves links against the page, drops fragments, dedupes, skips nofollow and non-http links', () => {
    expect(page.links).toEqual([
      'https://example.com/',
      'https://example.com/docs/',
      'https://example.com/guide/tides/brest?week=1',
      'https://other.example/x',
    ])
  })

  it('reads no robots directives when there is no robots meta', () => {
    expect(page.noindex).toBe(false)
    expect(page.nofollow).toBe(false)
  })

  it('resolves links against <base href>', () => {
    const based = htmlToPage('<html><head><base href="https://cdn.example.org/root/"></head><body><a href="a/b.html#x">x</a><a href="/top">top</a></body></html>', 'https://example.com/page')
    expect(based.links).toEqual(['https://cdn.example.org/root/a/b.html', 'https://cdn.example.org/top'])
  })

  it('reads noindex and nofollow from the robots meta tag, and none as both', () => {
    const both = htmlToPage('<head><meta name="Robots" content="NOINDEX, nofollow"></head><body><p>x</p></body>', 'https://example.com/')
    expect([both.noindex, both.nofollow]).toEqual([true, true])
    const onlyNoindex = htmlToPage('<head><meta name="robots" content="noindex"></head><body></body>', 'https://example.com/')
    expect([onlyNoindex.noindex, onlyNoindex.nofollow]).toEqual([true, false])
    const none = htmlToPage('<head><meta name="robots" content="none"></head><body></body>', 'https://example.com/')
    expect([none.noindex, none.nofollow]).toEqual([true, true])
    const otherMeta = htmlToPage('<head><meta name="googlebot" content="noindex"></head><body></body>', 'https://example.com/')
    expect([otherMeta.noindex, otherMeta.nofollow]).toEqual([false, false])
  })

  it('takes the title from the first <h1> when there is no <title>, without repeating it', () => {
    const untitled = htmlToPage('<body><article><h1>Release notes</h1><p>Version 2.</p></article><h1>Other</h1></body>', 'https://example.com/')
    expect(untitled.title).toBe('Release notes')
    expect(untitled.markdown).toBe('# Release notes\n\nVersion 2.')
  })

  it("prefers a lone <article>, keeping the article's own header", () => {
    const html = '<body><header>Site name</header><article><header><h1>Post</h1><p>By Ann</p></header><p>Body text.</p><footer>Tags: sea</footer></article><aside>Unrelated</aside></body>'
    const post = htmlToPage(html, 'https://example.com/post')
    expect(post.markdown).toContain('# Post')
    expect(post.markdown).toContain('By Ann')
    expect(post.markdown).toContain('Body text.')
    expect(post.markdown).not.toContain('Site name')
    expect(post.markdown).not.toContain('Unrelated')
  })

  it('reads a page without <main> from its body, without the banner and footer', () => {
    const plain = htmlToPage('<html><body><header>Banner</header><h1>Hello</h1><p>World</p><footer>Footer</footer></body></html>', 'https://example.com/')
    expect(plain.markdown).toBe('# Hello\n\nWorld')
  })

  it('keeps the content of a page that is one big form', () => {
    const webForms = htmlToPage('<body><form id="aspnetForm"><h1>Opening hours</h1><p>Monday to Friday.</p><input type="hidden" value="viewstate"></form></body>', 'https://example.com/')
    expect(webForms.markdown).toBe('# Opening hours\n\nMonday to Friday.')
  })

  it('gives an empty page no title and no markdown, without throwing', () => {
    expect(htmlToPage('', 'https://example.com/')).toEqual({ title: null, markdown: '', links: [], noindex: false, nofollow: false })
    expect(htmlToPage('<<<>>><a href="http://[bad">x</a>', 'https://example.com/').links).toEqual([])
  })
})
