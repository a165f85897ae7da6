// A node:test reporter for mutation runs: the first failing test ends the process with exit code
// 1, so a killed mutant costs the tests up to its first failure, not the whole suite. It prints
// nothing; Stryker reads only the exit code.

export default async function* bailOnFirstFailure(events: AsyncIterable<{ type: string }>): AsyncGenerator<string> {
  for await (const event of events) {
    if (event.type === 'test:fail') process.exit(1);
  }
  yield '';
}
