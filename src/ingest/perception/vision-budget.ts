/**
 * @module The per-file budget of PDF pages a vision model reads (VISION_PAGES_PER_FILE), shared by
 * a file's page-range messages however they interleave: each page is claimed in `vision_pages` by a
 * statement that inserts only while the file holds fewer claims than the budget. A redelivered part
 * finds its earlier claims and reads those pages again without spending more of the budget.
 */

/**
 * Claims pages in order, while the budget lasts, and returns the pages this file may have read
 * (including ones claimed by an earlier delivery of the same part).
 * @example const granted = await claimVisionPages(env.DB, file.id, [3, 7, 9], 20)
 */
export async function claimVisionPages(d1: D1Database, fileId: string, pages: readonly number[], budget: number): Promise<Set<number>> {
  if (pages.length === 0 || budget <= 0) return new Set()
  const now = Date.now()
  const claims = pages.map((page) =>
    d1
      .prepare(
        `INSERT INTO vision_pages (file_id, page, claimed_at)
         SELECT ?1, ?2, ?3 WHERE (SELECT count(*) FROM vision_pages WHERE file_id = ?1) < ?4
         ON CONFLICT DO NOTHING`,
      )
      .bind(fileId, page, now, budget),
  )
  // One batch is one transaction: claims from parts running at once cannot overshoot the budget.
  const results = await d1.batch<{ page: number }>([
    ...claims,
    d1.prepare(`SELECT page FROM vision_pages WHERE file_id = ?1 AND page IN (SELECT value FROM json_each(?2))`).bind(fileId, JSON.stringify(pages)),
  ])
  return new Set((results.at(-1)?.results ?? []).map((r) => r.page))
}
