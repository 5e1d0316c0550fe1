/** Flag parsing for `lab` subcommands: strict, with one-line errors that name the flag and the fix. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(command: string, argv: string[], options: Options): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`lab ${command}: ${msg}; see \`lab ${command} --help\``);
  }
}

/** A numeric flag within bounds; integer unless `float`. */
export function num(command: string, name: string, value: string | boolean | undefined, dflt: number, min: number, max: number, float = false): number {
  if (value === undefined) return dflt;
  const v = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(v) || (!float && !Number.isInteger(v)) || v < min || v > max)
    throw new UsageError(`lab ${command}: --${name} must be ${float ? 'a number' : 'an integer'} in ${min}..${max}, got "${String(value)}"`);
  return v;
}
