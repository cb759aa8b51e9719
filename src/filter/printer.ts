/**
 * @module Prints a filter tree as canonical text: `parseFilter(printFilter(tree))` gives the same tree.
 * Metadata paths always carry `metadata.`, so a key named like a file attribute stays a metadata key.
 */
import type { FilterNode, Scalar, Target } from './ast'

/**
 * The canonical text of a tree: `=` and `!=`, double-quoted strings, parentheses only where the
 * tree's shape needs them (a nested `and` inside an `and` keeps its own, so the shape survives).
 * @example printFilter(parseFilter("author == 'hegel' AND tags <> 'x'")) // 'metadata.author = "hegel" and metadata.tags != "x"'
 */
export function printFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'or':
      return node.operands.map((operand) => (operand.kind === 'or' ? `(${printFilter(operand)})` : printFilter(operand))).join(' or ')
    case 'and':
      return node.operands
        .map((operand) => (operand.kind === 'or' || operand.kind === 'and' ? `(${printFilter(operand)})` : printFilter(operand)))
        .join(' and ')
    case 'not': {
      const operand = node.operand
      return operand.kind === 'or' || operand.kind === 'and' ? `not (${printFilter(operand)})` : `not ${printFilter(operand)}`
    }
    case 'compare':
      return `${printTarget(node.target)} ${node.op} ${printScalar(node.value)}`
    case 'in':
      return `${printTarget(node.target)} ${node.negated ? 'not in' : 'in'} [${node.values.map(printScalar).join(', ')}]`
    case 'like':
      return `${printTarget(node.target)} ${node.negated ? 'not like' : 'like'} ${printString(node.pattern)}`
    case 'isNull':
      return `${printTarget(node.target)} ${node.negated ? 'is not null' : 'is null'}`
  }
}

export function printTarget(target: Target): string {
  if (target.kind !== 'metadata') return target.name
  return target.path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : `${out}.${segment}`), 'metadata')
}

export function printScalar(value: Scalar): string {
  if (typeof value === 'string') return printString(value)
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  return value ? 'true' : 'false'
}

/** Only `"` and `\` need escaping: every other character stands for itself inside a string. */
function printString(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
}
