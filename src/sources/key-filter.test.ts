import { describe, expect, it } from 'vitest'
import { keyFilter } from './key-filter'

describe('keyFilter', () => {
  it('passes every key without globs', () => {
    expect(['a/b/c.pdf', '.hidden', 'x y/ü.md'].filter(keyFilter([], []))).toEqual(['a/b/c.pdf', '.hidden', 'x y/ü.md'])
  })

  it('includes by glob, at the top and below', () => {
    const pdfs = keyFilter(['**/*.pdf'], [])
    expect(['a.pdf', 'x/a.pdf', 'x/y/a.pdf', '.archive/old.pdf', 'a.docx', 'x/a.pdf.bak', 'a.PDF'].filter(pdfs)).toEqual(['a.pdf', 'x/a.pdf', 'x/y/a.pdf', '.archive/old.pdf'])
  })

  it('matches against the whole key: a single star stays within one folder', () => {
    expect(['q1.pdf', 'reports/q1.pdf'].filter(keyFilter(['*.pdf'], []))).toEqual(['q1.pdf'])
    expect(['reports/q1.pdf', 'reports/2024/q1.pdf', 'old/reports/q1.pdf'].filter(keyFilter(['reports/*'], []))).toEqual(['reports/q1.pdf'])
  })

  it('passes a key that matches any one include', () => {
    const pass = keyFilter(['*.md', 'docs/**'], [])
    expect(['a.md', 'docs/x/y.txt', 'b.txt', 'other/a.md'].filter(pass)).toEqual(['a.md', 'docs/x/y.txt'])
  })

  it('excludes after including, and matches braces, question marks and dot files', () => {
    const pass = keyFilter(['reports/**/*.{pdf,xlsx}'], ['**/draft-*', 'reports/tmp/*'])
    expect(['reports/q1.pdf', 'reports/2024/q2.xlsx', 'reports/2024/draft-q3.pdf', 'reports/tmp/x.pdf', 'reports/tmp/deep/y.pdf', 'other/q1.pdf'].filter(pass)).toEqual([
      'reports/q1.pdf',
      'reports/2024/q2.xlsx',
      'reports/tmp/deep/y.pdf',
    ])
    expect(['q1.csv', 'q10.csv', 'q.csv'].filter(keyFilter(['q?.csv'], []))).toEqual(['q1.csv'])
    expect(keyFilter(['*'], [])('.hidden')).toBe(true)
    expect(keyFilter(['*'], [])('dir/file')).toBe(false)
  })

  it('excludes without includes', () => {
    const pass = keyFilter([], ['**/*.tmp', 'cache/**'])
    expect(['a.txt', 'b.tmp', 'x/b.tmp', 'cache/a.txt', 'cache', 'caches/a.txt'].filter(pass)).toEqual(['a.txt', 'caches/a.txt'])
  })

  it('treats a backslash as an escape, not a folder separator', () => {
    expect(keyFilter(['a\\*'], [])('a*')).toBe(true)
    expect(keyFilter(['a\\*'], [])('ab')).toBe(false)
  })

  it('filters URL paths the same way', () => {
    const docs = keyFilter(['/docs/**'], ['/docs/archive/**'])
    expect(['/docs/', '/docs/a', '/docs/archive/old', '/blog/a'].filter(docs)).toEqual(['/docs/', '/docs/a'])
  })
})
