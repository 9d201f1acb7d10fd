/** Reads "--name value" from argv, with a default. */
export function argument(argv: readonly string[], name: string, fallback: string): string {
  const index = argv.indexOf(name);
  const value = index >= 0 ? argv[index + 1] : undefined;
  return value !== undefined && !value.startsWith('--') ? value : fallback;
}

export function numberArgument(argv: readonly string[], name: string, fallback: number): number {
  const value = Number(argument(argv, name, String(fallback)));
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} needs a non-negative number`);
  return value;
}

export function flag(argv: readonly string[], name: string): boolean {
  return argv.includes(name);
}
