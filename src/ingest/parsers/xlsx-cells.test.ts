import { describe, expect, it } from 'vitest'
import { isDateFormat, serialToDate } from './xlsx-cells'
import { columnIndex, columnName } from './xlsx'
import { cellKey, findRegions } from './xlsx-regions'

describe('dates', () => {
  it('recognises date and time format codes, not number ones', () => {
    for (const code of ['yyyy-mm-dd', 'd/m/yy', '[$-409]mmmm d, yyyy', 'h:mm AM/PM', 'dd"."mm"."yyyy']) expect(isDateFormat(code)).toBe(true)
    for (const code of ['0.00', '#,##0', '0%', '"days"0', 'General', '[Red]0.0']) expect(isDateFormat(code)).toBe(false)
  })

  it('converts serial days in both date systems, with Excel’s 1900 leap-year quirk', () => {
    expect(serialToDate(44927, false)).toBe('2023-01-01')
    expect(serialToDate(44927.5, false)).toBe('2023-01-01 12:00:00')
    expect(serialToDate(59, false)).toBe('1900-02-28')
    expect(serialToDate(61, false)).toBe('1900-03-01')
    expect(serialToDate(0, true)).toBe('1904-01-01')
    expect(serialToDate(0.25, false)).toBe('06:00:00')
    expect(serialToDate(-1, false)).toBeUndefined()
  })
})

describe('cell references', () => {
  it('converts between column letters and numbers', () => {
    expect(columnIndex('A1')).toBe(1)
    expect(columnIndex('AB12')).toBe(28)
    expect(columnIndex('XFD1048576')).toBe(16_384)
    expect(columnIndex('XFE1')).toBe(-1)
    expect(columnName(28)).toBe('AB')
    expect(columnName(16_384)).toBe('XFD')
  })
})

describe('findRegions', () => {
  const sheet = (cells: [number, number][]) => new Map(cells.map(([r, c]) => [cellKey(r, c), 'x']))

  it('separates a title, side-by-side tables and a diagonal neighbour', () => {
    const cells = sheet([
      [1, 1],
      ...[3, 4, 5].flatMap((r) => [[r, 1], [r, 2]] as [number, number][]),
      ...[3, 4].flatMap((r) => [[r, 5], [r, 6]] as [number, number][]),
      [6, 3],
    ])
    expect(findRegions(cells)).toEqual([
      { top: 1, bottom: 1, left: 1, right: 1 },
      { top: 3, bottom: 5, left: 1, right: 2 },
      { top: 3, bottom: 4, left: 5, right: 6 },
      { top: 6, bottom: 6, left: 3, right: 3 },
    ])
  })

  it('keeps a sparse table whole when a lone cell sits inside its box', () => {
    const cells = sheet([[1, 1], [1, 2], [1, 3], [2, 1], [3, 1], [3, 2], [3, 3], [2, 3]])
    cells.delete(cellKey(2, 3))
    cells.set(cellKey(2, 3), 'x')
    cells.delete(cellKey(2, 1))
    expect(findRegions(cells)).toEqual([{ top: 1, bottom: 3, left: 1, right: 3 }])
  })
})
