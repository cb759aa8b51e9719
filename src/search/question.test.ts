import { describe, expect, it } from 'vitest'
import { QuestionError, readQuestion, type ChatMessage } from './question'

const user = (content: ChatMessage['content']): ChatMessage => ({ role: 'user', content })

function fault(messages: ChatMessage[]): QuestionError {
  try {
    readQuestion(messages)
  } catch (err) {
    if (err instanceof QuestionError) return err
    throw err
  }
  throw new Error('expected a QuestionError')
}

describe('readQuestion', () => {
  it('takes a string content as the query, with top_k 5 and no filter', () => {
    expect(readQuestion([user('What is logic?')])).toEqual({ messageIndex: 0, text: 'What is logic?', filter: null, filterText: null, topK: 5, topKGiven: false, images: [], hasImages: false })
  })

  it('reads L0’s filter part: expression and top_k', () => {
    const q = readQuestion([user([{ type: 'filter', filter: "metadata.author == 'hegel'", top_k: 3 }, { type: 'text', text: 'What is logic?' }])])
    expect(q.text).toBe('What is logic?')
    expect(q.topK).toBe(3)
    expect(q.filter).toMatchObject({ kind: 'compare', op: '=' })
  })

  it('accepts a filter part with only top_k, or a null filter', () => {
    expect(readQuestion([user([{ type: 'filter', top_k: 100 }, { type: 'text', text: 'x' }])])).toMatchObject({ topK: 100, filter: null })
    expect(readQuestion([user([{ type: 'filter', filter: null, top_k: null }, { type: 'text', text: 'x' }])])).toMatchObject({ topK: 5, filter: null })
  })

  it('refuses an empty or blank filter expression, naming it (filter.md: an empty expression is an error)', () => {
    for (const filter of ['', '  ', '\n']) {
      const err = fault([user([{ type: 'text', text: 'x' }, { type: 'filter', filter }])])
      expect(err).toMatchObject({ param: 'messages[0].content[1].filter', code: 'invalid_filter' })
      expect(err.message).toMatch(/found an empty expression/)
    }
  })

  it('asks the last user message, joining its text parts', () => {
    const q = readQuestion([
      { role: 'system', content: 'Be brief.' },
      user('first question'),
      { role: 'assistant', content: 'an answer' },
      user([{ type: 'text', text: 'second' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }, { type: 'text', text: 'question' }]),
      { role: 'assistant', content: null },
    ])
    expect(q).toMatchObject({ messageIndex: 3, text: 'second\nquestion', hasImages: true })
  })

  it('allows page and modality in the filter', () => {
    expect(readQuestion([user([{ type: 'filter', filter: 'page > 2 and modality = "table"' }, { type: 'text', text: 'x' }])]).filter).not.toBeNull()
  })

  it('names the message when the question is empty', () => {
    expect(fault([user('   ')]).param).toBe('messages[0].content')
    expect(fault([user('a'), user([{ type: 'filter', top_k: 2 }])]).param).toBe('messages[1].content')
    expect(fault([user([{ type: 'image_url', image_url: { url: 'data:' } }])]).message).toMatch(/picture/)
  })

  it('needs a user message', () => {
    expect(fault([{ role: 'system', content: 'hello' }]).param).toBe('messages')
  })

  it('names the filter field, with the column of the fault', () => {
    const err = fault([user('x'), user([{ type: 'text', text: 'q' }, { type: 'filter', filter: 'metadata.author == ' }])])
    expect(err.param).toBe('messages[1].content[1].filter')
    expect(err.code).toBe('invalid_filter')
    expect(err.message).toBe('filter: expected a value, found end of input at column 20')
  })

  it('refuses top_k outside 1..100 and a second filter part', () => {
    expect(fault([user([{ type: 'filter', top_k: 101 }, { type: 'text', text: 'q' }])]).param).toBe('messages[0].content[0].top_k')
    expect(fault([user([{ type: 'filter', top_k: 0 }, { type: 'text', text: 'q' }])]).param).toBe('messages[0].content[0].top_k')
    expect(fault([user([{ type: 'filter', top_k: 1 }, { type: 'filter', top_k: 2 }, { type: 'text', text: 'q' }])]).param).toBe('messages[0].content[1]')
  })
})
