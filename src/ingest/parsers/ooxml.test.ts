import { describe, expect, it } from 'vitest'
import { DamagedFileError, LimitExceededError } from '../errors'
import { attrOf, childrenOf, decodeXml, findDeep, parseXml, resolvePartPath, textNodeValue } from './ooxml'

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<lolz>&lol3;</lolz>`

const XXE = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sst><si><t>&xxe;</t></si></sst>`

describe('parseXml', () => {
  it('refuses DOCTYPE and entity declarations outright (billion laughs, XXE)', () => {
    for (const xml of [BILLION_LAUGHS, XXE, '<!ENTITY x "y"><a/>', '<!doctype a><a/>']) {
      expect(() => parseXml(xml, 'the spreadsheet', 64)).toThrow(DamagedFileError)
    }
    expect(() => parseXml(XXE, 'the spreadsheet', 64)).toThrow('the spreadsheet contains XML DOCTYPE or entity declarations')
  })

  it('decodes only the XML built-in entities and character references', () => {
    const root = parseXml('<t a="x &amp; y">&lt;b&gt; &#x41;&#66; &unknown; &amp;amp;</t>', 'the document', 64)
    const t = findDeep(root, 't')!
    expect(attrOf(t, 'a')).toBe('x & y')
    expect(textNodeValue(childrenOf(t)[0]!)).toBe('<b> AB &unknown; &amp;')
  })

  it('stops at the depth cap with a limit error', () => {
    const deep = `${'<a>'.repeat(300)}x${'</a>'.repeat(300)}`
    expect(() => parseXml(deep, 'the document', 256)).toThrow(LimitExceededError)
    expect(() => parseXml(deep, 'the document', 256)).toThrow('nests its XML deeper than 256 levels')
    expect(parseXml(deep, 'the document', 512)).toHaveLength(1)
  })

  it('keeps the whitespace Word marks as significant', () => {
    const root = parseXml('<w:t xml:space="preserve"> two  spaces </w:t>', 'the document', 8)
    expect(textNodeValue(childrenOf(root[0]!)[0]!)).toBe(' two  spaces ')
  })
})

describe('decodeXml', () => {
  it('drops references to NUL, surrogates and out-of-range code points', () => {
    expect(decodeXml('a&#0;b&#xD800;c&#x110000;d')).toBe('abcd')
  })
})

describe('resolvePartPath', () => {
  it('resolves relationship targets against the source part folder', () => {
    expect(resolvePartPath('ppt', 'slides/slide1.xml')).toBe('ppt/slides/slide1.xml')
    expect(resolvePartPath('ppt/slides', '../notesSlides/notesSlide1.xml')).toBe('ppt/notesSlides/notesSlide1.xml')
    expect(resolvePartPath('xl', '/xl/worksheets/sheet1.xml')).toBe('xl/worksheets/sheet1.xml')
    expect(resolvePartPath('', 'word/document.xml')).toBe('word/document.xml')
  })
})
