import { describe, expect, it } from 'vitest';
import { formatCsvField, formatCsvRecord, parseCsv } from './csv.js';

const fields = (text: string) => parseCsv(text).records.map((record) => record.fields);

describe('parseCsv (RFC 4180)', () => {
  it('splits records and fields, with CRLF, LF or CR line ends', () => {
    expect(fields('a,b,c\r\n1,2,3\r\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(fields('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fields('a,b\r1,2\r')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fields('a,,\n')).toEqual([['a', '', '']]);
  });

  it('reads quoted fields: commas, doubled quotes and line breaks are data', () => {
    const text = 'name,note\r\n"Water, sparkling 0,5 l","He said ""hi"""\r\n"two\r\nlines",x\r\n';
    const { records, problems } = parseCsv(text);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Water, sparkling 0,5 l', 'He said "hi"'] },
      { line: 3, fields: ['two\r\nlines', 'x'] },
    ]);
  });

  it('skips a UTF-8 BOM and blank lines, and keeps non-ASCII text', () => {
    const { records } = parseCsv('\uFEFFsku,name\n\nT1,烏龍茶\r\n\r\n\n');
    expect(records).toEqual([
      { line: 1, fields: ['sku', 'name'] },
      { line: 3, fields: ['T1', '烏龍茶'] },
    ]);
  });

  it('keeps a quoted empty line as a record: it was written on purpose', () => {
    expect(fields('a\n""\n')).toEqual([['a'], ['']]);
  });

  it('reports every malformed record with its line, and goes on with the next', () => {
    const text = 'a,b\n"x"y,1\n5" screen,2\nok,3\n"open,4\nmore\n';
    const { records, problems } = parseCsv(text);
    expect(problems).toEqual([
      { line: 2, message: 'text after the closing quote of a field; inside quotes, write a quote as ""' },
      {
        line: 3,
        message: 'a quote inside an unquoted field; quote the whole field and double the quote ("")',
      },
      { line: 5, message: 'unterminated quoted field (opened at column 1; close it with ")' },
    ]);
    expect(records.map((record) => record.line)).toEqual([1, 4]);
  });

  it('numbers lines after a quoted field spanning lines', () => {
    const { records } = parseCsv('h\n"a\nb\nc"\nnext\n');
    expect(records.map((record) => record.line)).toEqual([1, 2, 5]);
  });

  it('formats fields so that they parse back', () => {
    expect(formatCsvField('plain')).toBe('plain');
    expect(formatCsvField('Water, sparkling 0,5 l')).toBe('"Water, sparkling 0,5 l"');
    expect(formatCsvField('5" screen')).toBe('"5"" screen"');
    expect(formatCsvField(' padded ')).toBe('" padded "');
    const row = ['Water, sparkling 0,5 l', 'He said "hi"', 'two\nlines', '烏龍茶', ''];
    expect(fields(`${formatCsvRecord(row)}\n`)).toEqual([row]);
  });
});
