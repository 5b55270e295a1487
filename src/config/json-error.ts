/**
 * Where a JSON text first goes wrong, as a person editing it needs to hear it: line, column and
 * what was expected. `JSON.parse` says this only sometimes (Node 20 gives no position for an
 * unexpected token), so the text is scanned again after it failed; nothing here runs for a good file.
 */
export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units from the start of the line. */
  column: number;
  message: string;
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let at = 0;
  const describe = (offset: number) =>
    offset >= text.length ? 'the end of the file' : JSON.stringify(text.charAt(offset));
  const fail = (expected: string): never => {
    throw new Stop(at, `expected ${expected}, found ${describe(at)}`);
  };
  const skip = () => {
    while (at < text.length && WHITESPACE.has(text.charAt(at))) at++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, at)) at += word.length;
    else fail('a value');
  };
  const string = () => {
    const start = at;
    at++;
    for (;;) {
      if (at >= text.length) throw new Stop(start, 'this string is not closed (no ending ")');
      const char = text.charAt(at);
      if (char === '"') {
        at++;
        return;
      }
      if (char < ' ') throw new Stop(at, 'a line break or control character inside a string (write \\n)');
      if (char === '\\') {
        const escaped = text.charAt(at + 1);
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6)))
            throw new Stop(at, 'a \\u escape needs four hex digits');
          at += 6;
        } else if ('"\\/bfnrt'.includes(escaped) && escaped !== '') at += 2;
        else throw new Stop(at, `unknown escape \\${escaped}`);
      } else at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(at));
    if (match === null || match[0] === '' || match[0] === '-') fail('a value');
    at += (match as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 1000) throw new Stop(at, 'nested more than 1000 levels deep');
    skip();
    const char = text.charAt(at);
    if (char === '{') {
      at++;
      skip();
      if (text.charAt(at) === '}') {
        at++;
        return;
      }
      for (;;) {
        skip();
        if (text.charAt(at) !== '"') fail('a property name in double quotes');
        string();
        skip();
        if (text.charAt(at) !== ':') fail('":" after the property name');
        at++;
        value(depth + 1);
        skip();
        if (text.charAt(at) === ',') {
          at++;
          skip();
          if (text.charAt(at) === '}') throw new Stop(at, 'a "," before "}" (no trailing commas in JSON)');
          continue;
        }
        if (text.charAt(at) === '}') {
          at++;
          return;
        }
        fail('"," or "}"');
      }
    }
    if (char === '[') {
      at++;
      skip();
      if (text.charAt(at) === ']') {
        at++;
        return;
      }
      for (;;) {
        value(depth + 1);
        skip();
        if (text.charAt(at) === ',') {
          at++;
          skip();
          if (text.charAt(at) === ']') throw new Stop(at, 'a "," before "]" (no trailing commas in JSON)');
          continue;
        }
        if (text.charAt(at) === ']') {
          at++;
          return;
        }
        fail('"," or "]"');
      }
    }
    if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else number();
  };
  try {
    value(0);
    skip();
    if (at < text.length) fail('the end of the file after the value');
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return { ...lineAndColumn(text, error.offset), message: error.reason };
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
