/** The `lab` command as a real child process, for the CLI tests: exit code, stdout and stderr. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return labWith({}, ...args);
}

/** With options (cwd, timeout in ms; default 300 s). */
export async function labWith(opts: { cwd?: string; timeout?: number }, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const bin = opts.cwd ? `${process.cwd()}/bin/lab.js` : 'bin/lab.js';
    const { stdout, stderr } = await run('node', [bin, ...args], { timeout: opts.timeout ?? 300_000, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
