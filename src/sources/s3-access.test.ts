import { describe, expect, it } from 'vitest'
import { errorOf } from './s3-access'

describe("an S3 refusal's code and message", () => {
  it('reads them from S3 error XML, entities decoded, the message cut short', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access &amp; &#x27;denied&#39; for &lt;you&gt;${'x'.repeat(400)}</Message><RequestId>1</RequestId></Error>`
    const { code, message } = errorOf(body)
    expect(code).toBe('AccessDenied')
    expect(message!.startsWith("Access & 'denied' for <you>x")).toBe(true)
    expect(message!.length).toBe(300)
  })

  it('finds nothing in what is not an S3 error', () => {
    expect(errorOf('<html><body>502 Bad Gateway</body></html>')).toEqual({ code: null, message: null })
    expect(errorOf('')).toEqual({ code: null, message: null })
  })
})
