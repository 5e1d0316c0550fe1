/** `lab verify`: judge model responses stored in a dataset JSONL file, one JSON line per row. */
import { readFileSync } from 'node:fs';
import { JsonlError, parseJsonl } from '../core/jsonl.js';
import { dataset, datasetNames } from '../tasks/datasets.js';
import { parse, UsageError } from './args.js';

const HELP = `lab verify --task NAME --input FILE.jsonl [--response-field response]
  Prints {"id", "correct", "extracted", "reason"} per input row, in order.
  Rows carry the dataset's own fields plus the model response (field "response" by default).
  Tasks: ${datasetNames().join(', ')}`;

export async function verifyCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const v = parse('verify', argv, { task: { type: 'string' }, input: { type: 'string' }, 'response-field': { type: 'string' } });
  if (v.help) return out(HELP);
  if (typeof v.task !== 'string') throw new UsageError(`lab verify: --task is required (${datasetNames().join(', ')})`);
  if (typeof v.input !== 'string') throw new UsageError('lab verify: --input FILE.jsonl is required');
  const fam = dataset(v.task);
  const field = typeof v['response-field'] === 'string' ? v['response-field'] : 'response';
  let textIn: string;
  try {
    textIn = readFileSync(v.input, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${v.input}: ${(e as Error).message}`);
  }
  const rows = parseJsonl(textIn, v.input);
  // Validate every row before printing anything, so a bad line never leaves half an output.
  const items = rows.map((row, index) => {
    const problem = fam.fromRow(row.value, { file: v.input as string, line: row.line, index });
    const response = row.value[field];
    if (typeof response !== 'string') throw new JsonlError(v.input as string, row.line, field, response === undefined ? 'is missing (the model response to judge; see --response-field)' : 'must be a string');
    return { problem, response };
  });
  for (const { problem, response } of items) {
    const r = fam.verify(problem, response);
    out(JSON.stringify({ id: problem.id, correct: r.correct, extracted: r.extracted, reason: r.reason }));
  }
}
