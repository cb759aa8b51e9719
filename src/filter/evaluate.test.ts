import { describe, expect, it } from 'vitest'
import { compareCodePoints, evaluateFilter } from './evaluate'
import type { FilterRecord } from './evaluate'
import { likeMatcher } from './like'
import { parseFilter } from './parser'

const base: FilterRecord = {
  id: 'file-1',
  filename: 'Report.PDF',
  bytes: 1200,
  created_at: 1704067200,
  purpose: 'user_data',
  status: 'processed',
  user_id: null,
  metadata: {},
  page: 3,
  modality: 'text',
}

/** Whether the filter selects a record with this metadata (and these attributes). */
const holds = (text: string, metadata: unknown, extra: Partial<FilterRecord> = {}) =>
  evaluateFilter(parseFilter(text, { chunkAttributes: true }), { ...base, metadata, ...extra })

describe('a missing key and null', () => {
  it('are the same: is null true, is not null false, everything else false', () => {
    for (const metadata of [{}, { author: null }]) {
      expect(holds('author is null', metadata)).toBe(true)
      expect(holds('author is not null', metadata)).toBe(false)
      for (const text of ['author = "x"', 'author != "x"', 'author < 1', 'author in ["x"]', 'author not in ["x"]', 'author not in []', 'author like "%"', 'author not like "x"']) {
        expect(holds(text, metadata), text).toBe(false)
      }
    }
  })

  it('are reached past the end of a list or through a scalar', () => {
    expect(holds('tags[5] is null', { tags: ['a'] })).toBe(true)
    expect(holds('author.name is null', { author: 'hegel' })).toBe(true)
    expect(holds('tags[0] is null', { tags: {} })).toBe(true)
    expect(holds('a.constructor is null', { a: {} })).toBe(true)
  })

  it('make not true where the condition is false', () => {
    expect(holds('not author = "x"', {})).toBe(true)
    expect(holds('not author = "x"', { author: 'x' })).toBe(false)
    expect(holds('not author != "x"', {})).toBe(true)
  })
})

describe('types', () => {
  it('compare numbers as numbers and strings by code point', () => {
    expect(holds('n < 10', { n: 9 })).toBe(true)
    expect(holds('n < 10', { n: '9' })).toBe(false)
    expect(holds('s < "10"', { s: '9' })).toBe(false)
    expect(holds('s > "Z"', { s: 'a' })).toBe(true)
    expect(holds('s > "\uffff"', { s: '😀' })).toBe(true)
    expect(holds('n = 1', { n: 1.0 })).toBe(true)
    expect(holds('n >= -0', { n: 0 })).toBe(true)
  })

  it('make a comparison between types false for every operator', () => {
    for (const text of ['n = "1"', 'n != "1"', 'n < "2"', 'n in ["1"]', 'n not in ["1"]', 'n like "1"', 'n not like "x"']) {
      expect(holds(text, { n: 1 }), text).toBe(false)
    }
    expect(holds('s != 1', { s: 'a' })).toBe(false)
    expect(holds('s not in ["b", 1]', { s: 'a' })).toBe(false)
    expect(holds('s not in ["b"]', { s: 'a' })).toBe(true)
  })

  it('compare booleans only by = and !=, and never equal to 1', () => {
    expect(holds('b = true', { b: true })).toBe(true)
    expect(holds('b != true', { b: false })).toBe(true)
    expect(holds('b = 1', { b: true })).toBe(false)
    expect(holds('n = true', { n: 1 })).toBe(false)
    expect(holds('b < true', { b: false })).toBe(false)
    expect(holds('b >= false', { b: false })).toBe(false)
  })

  it('make objects false for everything but is null and is not null', () => {
    const metadata = { o: { a: 1 } }
    expect(holds('o is not null', metadata)).toBe(true)
    expect(holds('o is null', metadata)).toBe(false)
    for (const text of ['o = 1', 'o != 1', 'o in [1]', 'o not in [1]', 'o not in []', 'o like "%"', 'o not like "x"']) {
      expect(holds(text, metadata), text).toBe(false)
    }
  })
})

describe('lists', () => {
  const tags = { tags: ['logic', 'Kant', 3, true, null, ['nested'], { a: 'logic' }] }

  it('match if any element matches', () => {
    expect(holds('tags = "logic"', tags)).toBe(true)
    expect(holds('tags < 4', tags)).toBe(true)
    expect(holds('tags like "k%"', tags)).toBe(true)
    expect(holds('tags in ["x", "Kant"]', tags)).toBe(true)
    expect(holds('tags = true', tags)).toBe(true)
    expect(holds('tags = "nested"', tags)).toBe(false)
    expect(holds('tags = "x"', tags)).toBe(false)
  })

  it('match the negative forms if no element matches, so also when empty', () => {
    expect(holds('tags != "logic"', tags)).toBe(false)
    expect(holds('tags != "hegel"', tags)).toBe(true)
    expect(holds('tags not in ["hegel", 4]', tags)).toBe(true)
    expect(holds('tags not in ["hegel", 3]', tags)).toBe(false)
    expect(holds('tags not like "%x%"', tags)).toBe(true)
    expect(holds('tags not like "%a%"', tags)).toBe(false)
    for (const text of ['tags != "x"', 'tags not in ["x"]', 'tags not in []', 'tags not like "x"']) expect(holds(text, { tags: [] }), text).toBe(true)
    for (const text of ['tags = "x"', 'tags in []', 'tags like "%"', 'tags is null']) expect(holds(text, { tags: [] }), text).toBe(false)
  })

  it('are indexed from 0', () => {
    expect(holds('tags[0] = "logic"', tags)).toBe(true)
    expect(holds('tags[5][0] = "nested"', tags)).toBe(true)
    expect(holds('tags[6].a = "logic"', tags)).toBe(true)
  })

  it('in [] is false and in with null also tests for null', () => {
    expect(holds('a in []', { a: 'x' })).toBe(false)
    expect(holds('a in ["y", null]', {})).toBe(true)
    expect(holds('a in ["y", null]', { a: 'y' })).toBe(true)
    expect(holds('a not in ["y", null]', { a: 'x' })).toBe(true)
    expect(holds('a not in [null]', {})).toBe(false)
  })
})

describe('like', () => {
  it('matches the whole value with % and _', () => {
    expect(holds('a like "%Smith%"', { a: 'John Smith Jr' })).toBe(true)
    expect(holds('a like "Smith"', { a: 'John Smith' })).toBe(false)
    expect(holds('a like "_"', { a: '😀' })).toBe(true)
    expect(holds('a like "__"', { a: '😀' })).toBe(false)
    expect(holds('a like ""', { a: '' })).toBe(true)
  })

  it('is case-insensitive for ASCII letters only', () => {
    expect(holds('a like "smith"', { a: 'SMITH' })).toBe(true)
    expect(holds('a like "é"', { a: 'É' })).toBe(false)
    expect(holds('a like "straße"', { a: 'STRASSE' })).toBe(false)
    expect(holds('a = "smith"', { a: 'SMITH' })).toBe(false)
  })

  it('takes a backslash to make the next character literal', () => {
    expect(holds('a like "100\\\\%"', { a: '100%' })).toBe(true)
    expect(holds('a like "100\\\\%"', { a: '1000' })).toBe(false)
    expect(holds('a like "a\\\\_c"', { a: 'abc' })).toBe(false)
    expect(holds('a like "a\\\\\\\\c"', { a: 'a\\c' })).toBe(true)
    expect(holds('a like "\\\\A"', { a: 'a' })).toBe(true)
  })

  it('applies to strings only', () => {
    expect(holds('n like "1"', { n: 1 })).toBe(false)
    expect(holds('b like "true"', { b: true })).toBe(false)
  })

  it('takes no longer than the product of the lengths', () => {
    const match = likeMatcher('%a%a%a%a%a%a%a%a%a%a%b')
    expect(match('a'.repeat(5000))).toBe(false)
    expect(likeMatcher('a\\')('a')).toBe(false)
  })
})

describe('attributes', () => {
  it('are the file attributes even where the metadata has the same key', () => {
    expect(holds('status = "processed"', { status: 'draft' })).toBe(true)
    expect(holds('metadata.status = "draft"', { status: 'draft' })).toBe(true)
    expect(holds('user_id is null', {})).toBe(true)
    expect(holds('bytes > 1000 and filename like "%.pdf"', {})).toBe(true)
    expect(holds('created_at >= "2024-01-01" and created_at < "2024-01-01T00:00:01Z"', {})).toBe(true)
  })

  it('include the chunk attributes where given', () => {
    expect(holds('page = 3 and modality = "text"', {})).toBe(true)
    expect(holds('page is null', {}, { page: null })).toBe(true)
    expect(holds('page is null', {}, { page: undefined })).toBe(true)
  })
})

it('orders strings by code point, not by UTF-16 unit', () => {
  expect(compareCodePoints('\uffff', '😀')).toBeLessThan(0)
  expect(compareCodePoints('a', 'ab')).toBeLessThan(0)
  expect(compareCodePoints('b', 'a')).toBeGreaterThan(0)
  expect(compareCodePoints('😀', '😀')).toBe(0)
})

it('gives the results that docs/filter.md shows', () => {
  const metadata = { author: 'Hegel', tags: ['logic', 3, true], year: 1812, draft: null }
  const table: [string, boolean][] = [
    ['author = "Hegel"', true],
    ['author like "hegel"', true],
    ['author = "hegel"', false],
    ['tags = "logic"', true],
    ['tags != "kant"', true],
    ['tags < 5', true],
    ['tags = 1', false],
    ['year > "1800"', false],
    ['year != "1800"', false],
    ['draft is null', true],
    ['isbn is null', true],
    ['isbn != "x"', false],
    ['not isbn = "x"', true],
    ['tags not in []', true],
  ]
  for (const [text, expected] of table) expect(holds(text, metadata), text).toBe(expected)
})
