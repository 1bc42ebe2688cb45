/** Examples listed per warning; the count says how many there were in all. */
const MAX_EXAMPLES = 10;

interface Group {
  describe: (count: number) => string;
  examples: string[];
  count: number;
}

/**
 * Warnings of one export, grouped by kind so that 100,000 objects with holes make one line
 * ("1200 objects have holes ...: ids 3, 7, ...") rather than 100,000. Lines come out in the
 * order their kinds first occurred, so the list is as deterministic as the export.
 */
export class ExportWarnings {
  private readonly groups = new Map<string, Group>();

  /**
   * Records one occurrence of `kind`. `describe(count)` words the line for the final count;
   * `example` names the image or object it concerns.
   */
  add(kind: string, describe: (count: number) => string, example: string): void {
    let group = this.groups.get(kind);
    if (!group) {
      group = { describe, examples: [], count: 0 };
      this.groups.set(kind, group);
    }
    group.count++;
    if (group.examples.length < MAX_EXAMPLES) group.examples.push(example);
  }

  /** A warning that happens once per export (an option combination, a class name). */
  note(kind: string, message: string): void {
    if (!this.groups.has(kind)) {
      this.groups.set(kind, { describe: () => message, examples: [], count: 1 });
    }
  }

  list(): string[] {
    return [...this.groups.values()].map(({ describe, examples, count }) => {
      if (examples.length === 0) return describe(count);
      const more = count > examples.length ? `, ... (${count - examples.length} more)` : '';
      return `${describe(count)}: ${examples.join(', ')}${more}`;
    });
  }
}

/** "1 object" / "3 objects". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
