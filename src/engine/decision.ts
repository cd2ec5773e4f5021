/**
 * OZ's decision table (§3.5), shared by every chain evaluator. `configured` = the monitor lists conditions of that
 * kind; `matched` = at least one of them matched for the transaction.
 */
export interface ConditionKindOutcome {
  configured: boolean;
  matched: boolean;
}

export interface ConditionOutcomes {
  events: ConditionKindOutcome;
  functions: ConditionKindOutcome;
  transactions: ConditionKindOutcome;
}

/**
 * | events | functions | transactions | match iff                |
 * |--------|-----------|--------------|--------------------------|
 * | none   | none      | none         | always                   |
 * | none   | none      | some         | hasT                     |
 * | any    | any       | none         | hasE ∨ hasF              |
 * | otherwise                         || (hasE ∨ hasF) ∧ hasT     |
 */
export function decideMatch({ events, functions, transactions }: ConditionOutcomes): boolean {
  const hasE = events.configured && events.matched;
  const hasF = functions.configured && functions.matched;
  const hasT = transactions.configured && transactions.matched;
  if (!events.configured && !functions.configured) return transactions.configured ? hasT : true;
  if (!transactions.configured) return hasE || hasF;
  return (hasE || hasF) && hasT;
}
