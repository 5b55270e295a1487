/**
 * RFC 4180 CSV, small and strict: no CSV library is installed, and the catalog's needs are narrow.
 * Fields are separated by commas; a field may be quoted, and inside quotes commas, line breaks and
 * doubled quotes ("") are data. Records end with CRLF, LF or a lone CR. A UTF-8 BOM (spreadsheets write
 * one) is skipped, and empty lines are ignored. Errors are collected per record, with the line the
 * record starts on, so that a file with several mistakes is reported in one go.
 */

export interface CsvRecord {
  /** 1-based line where the record starts (a quoted field may span lines). */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  message: string;
}

export interface CsvDocument {
  records: CsvRecord[];
  problems: CsvProblem[];
}

const BOM = '\uFEFF';

export function parseCsv(input: string): CsvDocument {
  const text = input.startsWith(BOM) ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const length = text.length;
  let at = 0;
  let line = 1;

  while (at < length) {
    const recordLine = line;
    const fields: string[] = [];
    let quoted = false;
    let error: string | undefined;
    for (;;) {
      let value: string;
      if (text[at] === '"') {
        quoted = true;
        const start = at;
        at++;
        let closed = false;
        value = '';
        while (at < length) {
          const char = text[at] as string;
          if (char === '"') {
            if (text[at + 1] === '"') {
              value += '"';
              at += 2;
              continue;
            }
            at++;
            closed = true;
            break;
          }
          if (char === '\n' || (char === '\r' && text[at + 1] !== '\n')) line++;
          value += char;
          at++;
        }
        if (!closed) {
          // Where the field should have ended cannot be guessed: the rest of the file is inside it.
          error = `unterminated quoted field (opened at column ${columnOf(text, start)}; close it with ")`;
          break;
        }
        const next = text[at];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
          error = 'text after the closing quote of a field; inside quotes, write a quote as ""';
          break;
        }
      } else {
        const start = at;
        while (at < length && text[at] !== ',' && text[at] !== '\r' && text[at] !== '\n') {
          if (text[at] === '"') {
            error = 'a quote inside an unquoted field; quote the whole field and double the quote ("")';
            break;
          }
          at++;
        }
        if (error !== undefined) break;
        value = text.slice(start, at);
      }
      fields.push(value);
      if (text[at] !== ',') break;
      at++;
    }
    if (error !== undefined) {
      // Resynchronise at the next line so that the following records are still checked.
      while (at < length && text[at] !== '\n' && text[at] !== '\r') at++;
      problems.push({ line: recordLine, message: error });
    }
    if (text[at] === '\r') {
      at++;
      if (text[at] === '\n') at++;
      line++;
    } else if (text[at] === '\n') {
      at++;
      line++;
    }
    if (error === undefined && !(fields.length === 1 && fields[0] === '' && !quoted)) {
      records.push({ line: recordLine, fields });
    }
  }
  return { records, problems };
}

function columnOf(text: string, index: number): number {
  const lineStart = Math.max(text.lastIndexOf('\n', index - 1), text.lastIndexOf('\r', index - 1));
  return index - lineStart;
}

/** Quotes a field only when it must be (or when spaces at its ends would otherwise be trimmed on import). */
export function formatCsvField(value: string): string {
  if (/[",\r\n]/.test(value) || value !== value.trim()) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

export function formatCsvRecord(fields: readonly string[]): string {
  return fields.map(formatCsvField).join(',');
}
