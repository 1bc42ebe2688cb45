/** Which limit set the host budget. */
export type BudgetSource = 'config' | 'cgroup' | 'physical';

export interface Budget {
  bytes: number;
  source: BudgetSource;
}

export interface BudgetInputs {
  /** `memory.budget`: a byte count, or 'auto' for no configured limit. */
  configured: number | 'auto';
  /** The cgroup memory limit; null when none. */
  cgroupLimit: number | null;
  /** Physical RAM (MemTotal). */
  physical: number;
}

/**
 * B = min(configured budget, cgroup limit, physical RAM). On a tie the more deliberate setting is
 * named: the configured value, then the cgroup.
 */
export function resolveBudget(inputs: BudgetInputs): Budget {
  let budget: Budget = { bytes: inputs.physical, source: 'physical' };
  if (inputs.cgroupLimit !== null && inputs.cgroupLimit <= budget.bytes) {
    budget = { bytes: inputs.cgroupLimit, source: 'cgroup' };
  }
  if (inputs.configured !== 'auto' && inputs.configured <= budget.bytes) {
    budget = { bytes: inputs.configured, source: 'config' };
  }
  return budget;
}
