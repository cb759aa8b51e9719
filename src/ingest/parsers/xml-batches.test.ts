import { describe, expect, it } from 'vitest'
import { splitContainer } from './xml-batches'

describe('splitContainer', () => {
  const xml = '<ws><cols/><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2" note="a>b"/><!-- <row> --><row r="3"><c><is><t>x</t></is></c></row></sheetData><mergeCells/></ws>'

  it('cuts the container’s children into runs of whole elements', () => {
    const split = splitContainer(xml, 'sheetData', 1)!
    expect([...split.batches]).toEqual(['<row r="1"><c r="A1"><v>1</v></c></row>', '<row r="2" note="a>b"/>', '<!-- <row> --><row r="3"><c><is><t>x</t></is></c></row>'])
    expect(split.outside).toBe('<ws><cols/><sheetData></sheetData><mergeCells/></ws>')
  })

  it('groups children up to the batch size and loses nothing', () => {
    const split = splitContainer(xml, 'sheetData', 10_000)!
    const batches = [...split.batches]
    expect(batches).toHaveLength(1)
    expect(split.outside.replace('<sheetData></sheetData>', `<sheetData>${batches[0]}</sheetData>`)).toBe(xml)
  })

  it('matches prefixed containers, empty ones and missing ones', () => {
    const body = splitContainer('<w:document><w:body><w:p/><w:tbl><w:tr/></w:tbl></w:body></w:document>', 'w:body', 1)!
    expect([...body.batches]).toEqual(['<w:p/>', '<w:tbl><w:tr/></w:tbl>'])
    expect([...splitContainer('<ws><sheetData/></ws>', 'sheetData', 1)!.batches]).toEqual([])
    expect(splitContainer('<ws/>', 'sheetData', 1)).toBeUndefined()
  })
})
