/**
 * @module The console's screens as the browser tests keep them: axe-core finds no serious or critical
 * violation on the page, then it is saved at desktop and phone sizes in `test/.screens/`.
 */
import path from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } }

const screens = path.resolve(import.meta.dirname, '../.screens')

export async function checkScreen(page: Page, name: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze()
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport)
    await page.screenshot({ path: path.join(screens, `${name}-${size}.png`), fullPage: false })
  }
  await page.setViewportSize(VIEWPORTS.desktop)
}
