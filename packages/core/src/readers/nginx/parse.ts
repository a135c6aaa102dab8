import { includeKey, type ReaderDiagnostic, type ReaderInput } from '../types.js';

/** One nginx directive with where it was written; `block` holds the children of `name ... { }`. */
export interface NginxDirective {
  readonly name: string;
  readonly args: readonly string[];
  readonly file: string;
  readonly line: number;
  readonly block?: NginxDirective[] | undefined;
}

interface Token {
  readonly text: string;
  readonly line: number;
  /** `;`, `{`, `}` are punctuation; a quoted `";"` is a word. */
  readonly punct: boolean;
}

const MAX_INCLUDE_DEPTH = 16;

/** nginx's lexer: words, "double" and 'single' quoted strings with escapes, `#` comments. */
function tokenize(text: string, file: string, diagnostics: ReaderDiagnostic[]): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (ch === ';' || ch === '{' || ch === '}') {
      tokens.push({ text: ch, line, punct: true });
      i++;
      continue;
    }
    const startLine = line;
    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === '\\' && i + 1 < n) {
          const next = text[i + 1]!;
          value +=
            next === ch || next === '\\' ? next : next === 'n' ? '\n' : next === 't' ? '\t' : `\\${next}`;
          if (next === '\n') line++;
          i += 2;
          continue;
        }
        if (c === ch) {
          closed = true;
          i++;
          break;
        }
        if (c === '\n') line++;
        value += c;
        i++;
      }
      if (!closed) {
        diagnostics.push({
          severity: 'error',
          message: `unterminated ${ch === '"' ? 'double' : 'single'} quote`,
          file,
          line: startLine,
        });
      }
      tokens.push({ text: value, line: startLine, punct: false });
      ({ i, line } = afterWord(text, i, line, tokens, file, diagnostics));
      continue;
    }
    let value = '';
    while (i < n) {
      const c = text[i]!;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ';' || c === '{' || c === '}') break;
      // `${var}` keeps its braces inside a word.
      if (c === '$' && text[i + 1] === '{') {
        const close = text.indexOf('}', i);
        if (close > 0) {
          value += text.slice(i, close + 1);
          i = close + 1;
          continue;
        }
      }
      if (c === '\\' && i + 1 < n) {
        value += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    tokens.push({ text: value, line: startLine, punct: false });
    ({ i, line } = afterWord(text, i, line, tokens, file, diagnostics));
  }
  return tokens;
}

/** After a word: a directive named `*_by_lua_block` takes its Lua body whole (see `luaBlock`). */
function afterWord(
  text: string,
  i: number,
  line: number,
  tokens: Token[],
  file: string,
  diagnostics: ReaderDiagnostic[],
): { i: number; line: number } {
  const word = tokens[tokens.length - 1]!;
  const previous = tokens[tokens.length - 2];
  if (!word.text.endsWith('_by_lua_block') || (previous && !previous.punct)) return { i, line };
  return luaBlock(text, i, line, word.text === 'set_by_lua_block', tokens, file, diagnostics);
}

/**
 * OpenResty's `*_by_lua_block { ... }`: the body is Lua, not nginx syntax. Like lua-nginx-module's
 * own block lexer (and crossplane's lua extension) the body is taken whole, braces counted outside
 * Lua strings, long brackets and comments, and kept as one opaque argument: `name [arg] BODY;`.
 * `set_by_lua_block $var { ... }` is the one form with an argument before the block.
 */
function luaBlock(
  text: string,
  start: number,
  startLine: number,
  hasArgument: boolean,
  tokens: Token[],
  file: string,
  diagnostics: ReaderDiagnostic[],
): { i: number; line: number } {
  let i = start;
  let line = startLine;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(text[i]!)) {
      if (text[i] === '\n') line++;
      i++;
    }
  };
  skipSpace();
  if (hasArgument) {
    const from = i;
    while (i < n && !/[\s{;]/.test(text[i]!)) i++;
    tokens.push({ text: text.slice(from, i), line, punct: false });
    skipSpace();
  }
  if (text[i] !== '{') {
    // Not a Lua block after all: let the ordinary lexer report what follows.
    return { i, line };
  }
  const bodyLine = line;
  const bodyStart = i + 1;
  let depth = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (c === '-' && text[i + 1] === '-') {
      const long = /^--\[(=*)\[/.exec(text.slice(i, i + 64));
      const close = long ? text.indexOf(`]${long[1]}]`, i) : text.indexOf('\n', i);
      const end = close < 0 ? n : long ? close + long[1]!.length + 2 : close;
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end;
      continue;
    }
    if (c === '[' && /^\[=*\[/.test(text.slice(i, i + 64))) {
      const level = /^\[(=*)\[/.exec(text.slice(i, i + 64))![1]!;
      const close = text.indexOf(`]${level}]`, i);
      const end = close < 0 ? n : close + level.length + 2;
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') {
      depth--;
      if (depth === 0) {
        tokens.push({ text: text.slice(bodyStart, i), line: bodyLine, punct: false });
        tokens.push({ text: ';', line, punct: true });
        return { i: i + 1, line };
      }
    }
    i++;
  }
  diagnostics.push({ severity: 'error', message: 'Lua block is not closed by "}"', file, line: bodyLine });
  return { i: n, line };
}

/** Splits `nginx -T` output into its files (`# configuration file PATH:` markers). */
export function splitNginxDump(text: string): Array<{ file: string; text: string }> | undefined {
  const marker = /^# configuration file (.+):\s*$/gm;
  const starts: Array<{ file: string; at: number; body: number }> = [];
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    starts.push({ file: m[1]!, at: m.index, body: m.index + m[0].length + 1 });
  }
  if (starts.length === 0) return undefined;
  return starts.map((s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.at : text.length;
    // `nginx -T` adds an empty line after each file.
    return { file: s.file, text: text.slice(Math.min(s.body, end), end).replace(/\n$/, '') };
  });
}

function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += `[${pattern.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else out += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '.' : slash === 0 ? '/' : path.slice(0, slash);
}

function joinPath(base: string, path: string): string {
  if (path.startsWith('/')) return path;
  return base === '.' ? path : `${base}/${path}`;
}

/** The include directives a file contains (top-level scan; used by the caller to read them). */
export function nginxIncludePatterns(file: string, text: string): string[] {
  const patterns: string[] = [];
  const tokens = tokenize(text, file, []);
  for (let i = 0; i + 2 < tokens.length; i++) {
    const t = tokens[i]!;
    const previous = tokens[i - 1];
    const atStart = !previous || previous.punct;
    if (!t.punct && t.text === 'include' && atStart && !tokens[i + 1]!.punct && tokens[i + 2]!.text === ';') {
      patterns.push(tokens[i + 1]!.text);
    }
  }
  return patterns;
}

interface ParseState {
  readonly diagnostics: ReaderDiagnostic[];
  /** Files known by path (includes read by the caller, or the files of an `nginx -T` dump). */
  readonly files: ReadonlyMap<string, string>;
  readonly includeMatches: ReadonlyMap<string, readonly string[]> | undefined;
  /** Folder relative includes resolve against: the main file's (nginx's configuration prefix). */
  readonly prefix: string;
}

/**
 * Marks where an include could not be read: the directives around it may be set (or overridden)
 * there, so a value looked up in that block is unknown, not a default (see `unreadableInclude`).
 */
export const UNREADABLE_INCLUDE = '#unreadable-include';

function resolveInclude(
  state: ParseState,
  from: string,
  pattern: string,
  line: number,
): { files: string[]; unreadable: boolean } {
  const matched = state.includeMatches?.get(includeKey(from, pattern));
  if (matched) {
    const files = matched.filter((f) => state.files.has(f));
    return { files, unreadable: files.length < matched.length };
  }
  const full = joinPath(state.prefix, pattern);
  if (!/[*?[]/.test(pattern)) {
    if (state.files.has(full)) return { files: [full], unreadable: false };
    if (state.files.has(pattern)) return { files: [pattern], unreadable: false };
    state.diagnostics.push({
      severity: 'error',
      message: `include ${pattern} was not found`,
      file: from,
      line,
      field: 'include',
    });
    return { files: [], unreadable: true };
  }
  const re = globToRegExp(full);
  return { files: [...state.files.keys()].filter((f) => re.test(f)).sort(), unreadable: false };
}

function parseTokens(tokens: Token[], file: string, state: ParseState, depth: number): NginxDirective[] {
  let index = 0;
  const parseBlock = (closing: boolean, openLine: number): NginxDirective[] => {
    const out: NginxDirective[] = [];
    let words: Token[] = [];
    while (index < tokens.length) {
      const token = tokens[index++]!;
      if (token.punct && token.text === ';') {
        if (words.length === 0) {
          state.diagnostics.push({ severity: 'error', message: 'unexpected ";"', file, line: token.line });
          continue;
        }
        const [head, ...rest] = words;
        const directive: NginxDirective = {
          name: head!.text,
          args: rest.map((w) => w.text),
          file,
          line: head!.line,
        };
        if (directive.name === 'include' && directive.args.length === 1) {
          out.push(...expandInclude(directive, state, depth));
        } else out.push(directive);
        words = [];
      } else if (token.punct && token.text === '{') {
        if (words.length === 0) {
          state.diagnostics.push({ severity: 'error', message: 'unexpected "{"', file, line: token.line });
        }
        const [head, ...rest] = words.length > 0 ? words : [token];
        const block = parseBlock(true, token.line);
        out.push({ name: head!.text, args: rest.map((w) => w.text), file, line: head!.line, block });
        words = [];
      } else if (token.punct && token.text === '}') {
        if (words.length > 0) {
          state.diagnostics.push({
            severity: 'error',
            message: `directive "${words[0]!.text}" is not terminated by ";"`,
            file,
            line: words[0]!.line,
          });
        }
        if (closing) return out;
        state.diagnostics.push({ severity: 'error', message: 'unexpected "}"', file, line: token.line });
        words = [];
      } else words.push(token);
    }
    if (words.length > 0) {
      state.diagnostics.push({
        severity: 'error',
        message: `unexpected end of file: directive "${words[0]!.text}" is not terminated by ";"`,
        file,
        line: words[0]!.line,
      });
    }
    if (closing) {
      state.diagnostics.push({
        severity: 'error',
        message: 'unexpected end of file, expecting "}"',
        file,
        line: openLine,
      });
    }
    return out;
  };
  return parseBlock(false, 1);
}

function expandInclude(directive: NginxDirective, state: ParseState, depth: number): NginxDirective[] {
  if (depth >= MAX_INCLUDE_DEPTH) {
    state.diagnostics.push({
      severity: 'error',
      message: `includes nested deeper than ${MAX_INCLUDE_DEPTH} (a loop?)`,
      file: directive.file,
      line: directive.line,
      field: 'include',
    });
    return [];
  }
  const out: NginxDirective[] = [];
  const resolved = resolveInclude(state, directive.file, directive.args[0]!, directive.line);
  if (resolved.unreadable) out.push({ ...directive, name: UNREADABLE_INCLUDE });
  for (const path of resolved.files) {
    const text = state.files.get(path)!;
    out.push(...parseTokens(tokenize(text, path, state.diagnostics), path, state, depth + 1));
  }
  return out;
}

/** Parses an nginx configuration (a file with its includes, or `nginx -T` output) into a tree. */
export function parseNginx(input: ReaderInput): {
  directives: NginxDirective[];
  diagnostics: ReaderDiagnostic[];
} {
  const diagnostics: ReaderDiagnostic[] = [];
  const dump = splitNginxDump(input.text);
  const files = new Map<string, string>(input.includes ?? []);
  let main = { file: input.file, text: input.text };
  if (dump) {
    for (const part of dump) files.set(part.file, part.text);
    main = dump[0]!;
  }
  const state: ParseState = {
    diagnostics,
    files,
    includeMatches: input.includeMatches,
    prefix: dirname(main.file),
  };
  const directives = parseTokens(tokenize(main.text, main.file, diagnostics), main.file, state, 0);
  return { directives, diagnostics };
}
