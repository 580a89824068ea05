/**
 * Minimal RFC 4180 CSV reading and writing (quotes, embedded commas and newlines), for manifests, status files and tables.
 * Errors name the file and the 1-based line.
 */
import { readFileSync } from 'node:fs';
import { AlsgError } from '@ldl-alsg/common';

export type CsvRow = Record<string, string>;

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
  /** 1-based line number in the file of each row (for error messages). */
  lines: number[];
}

/** Parses CSV text into records; `file` is only used in error messages. */
export function parseCsv(text: string, file = '<csv>'): CsvTable {
  const records: { fields: string[]; line: number }[] = [];
  let field = '';
  let fields: string[] = [];
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let sawAny = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.length === 0) {
      inQuotes = true;
      sawAny = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      sawAny = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (sawAny || field.length > 0) {
        fields.push(field);
        records.push({ fields, line: recordLine });
      }
      fields = [];
      field = '';
      sawAny = false;
      line++;
      recordLine = line;
    } else {
      field += ch;
      sawAny = true;
    }
  }
  if (inQuotes) throw new AlsgError('E_INPUT', `${file}:${recordLine}: unterminated quoted field`, { file, line: recordLine });
  if (sawAny || field.length > 0) {
    fields.push(field);
    records.push({ fields, line: recordLine });
  }
  if (records.length === 0) throw new AlsgError('E_INPUT', `${file}: empty CSV (expected a header line)`, { file });
  const header = records[0].fields.map((h) => h.trim());
  const rows: CsvRow[] = [];
  const lines: number[] = [];
  for (const rec of records.slice(1)) {
    if (rec.fields.length !== header.length) {
      throw new AlsgError('E_INPUT', `${file}:${rec.line}: expected ${header.length} fields (${header.join(',')}), but got ${rec.fields.length}`, {
        file,
        line: rec.line,
      });
    }
    const row: CsvRow = {};
    header.forEach((h, k) => (row[h] = rec.fields[k]));
    rows.push(row);
    lines.push(rec.line);
  }
  return { header, rows, lines };
}

/** Reads and parses a CSV file. */
export function readCsv(file: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AlsgError('E_INPUT', `${file}: cannot read CSV file`, { file, cause });
  }
  return parseCsv(text, file);
}

/** Throws unless every column in `required` is present; names the file and the missing columns. */
export function requireColumns(table: CsvTable, required: readonly string[], file: string): void {
  const missing = required.filter((c) => !table.header.includes(c));
  if (missing.length > 0) {
    throw new AlsgError('E_INPUT', `${file}: missing column(s) ${missing.join(', ')} (header has: ${table.header.join(', ')})`, { file });
  }
}

function quote(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Serialises records to CSV text with the given column order. */
export function formatCsv(header: readonly string[], rows: readonly Record<string, string | number | boolean | null | undefined>[]): string {
  const out = [header.map(quote).join(',')];
  for (const row of rows) out.push(header.map((h) => quote(row[h] === undefined || row[h] === null ? '' : String(row[h]))).join(','));
  return out.join('\n') + '\n';
}
