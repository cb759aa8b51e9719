/**
 * The few pieces every screen repeats: an error or confirmation line (announced to screen readers),
 * and a table with a hidden caption whose last, unlabelled column holds the row's actions.
 */
import type { ComponentChildren } from 'preact'

export function Alert({ text }: { text: string | null | undefined }) {
  return text ? (
    <p role="alert" class="error">
      {text}
    </p>
  ) : null
}

/** A message that is an error or a confirmation. */
export function Notice({ message }: { message: { text: string; error?: boolean } | null }) {
  return message ? (
    <p role={message.error ? 'alert' : 'status'} class={message.error ? 'error' : 'ok'}>
      {message.text}
    </p>
  ) : null
}

export function ActionTable({ caption, columns, children }: { caption: string; columns: string[]; children: ComponentChildren }) {
  // On a narrow screen a wide table scrolls within its own box, so its last column (the actions) stays reachable.
  return (
    <div class="table-scroll">
      <table>
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col">{c}</th>
            ))}
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}
