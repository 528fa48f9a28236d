// The connection options are accepted before or after the verb (`vact --agent URL status` =
// `vact status --agent URL`): they are moved behind the command words before commander parses.

/** Connection options and whether each takes a value. */
const CONNECTION_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['--agent', true], ['--state-dir', true], ['--token-file', true], ['--ca', true], ['--json', false],
]);

/** `argv` (node, script, …args) with every connection option (and its value) moved to the end, in order. */
export function hoistConnectionOptions(argv: readonly string[]): string[] {
  const head = argv.slice(0, 2);
  const rest: string[] = [];
  const moved: string[] = [];
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    const takesValue = CONNECTION_OPTIONS.get(name);
    if (takesValue === undefined) {
      rest.push(a);
    } else if (takesValue && !a.includes('=') && i + 1 < args.length) {
      moved.push(a, args[++i]);
    } else {
      moved.push(a);
    }
  }
  return [...head, ...rest, ...moved];
}
