/**
 * A filter expression input (the filter language of docs/filter.md) that shows the parser's error
 * under the expression, with a caret at the column the error names.
 */
export type FilterError = { message: string; column: number | null }

export function filterError(message: string): FilterError {
  const m = /at column (\d+)/.exec(message)
  return { message, column: m ? Number(m[1]) : null }
}

export function FilterBox(props: { id: string; label: string; value: string; onInput: (v: string) => void; error: FilterError | null; placeholder?: string }) {
  const { id, value, error } = props
  return (
    <div class="filter">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        class="mono"
        value={value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        placeholder={props.placeholder ?? "author = 'Ada' and year >= 2020"}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        spellcheck={false}
      />
      {error && (
        <div id={`${id}-error`} role="alert" class="filter-error">
          {error.column !== null && (
            <pre class="mono caret" aria-hidden="true">
              {value}
              {'\n'}
              {' '.repeat(Math.max(0, error.column - 1))}^
            </pre>
          )}
          <span class="error">{error.message}</span>
        </div>
      )}
    </div>
  )
}
