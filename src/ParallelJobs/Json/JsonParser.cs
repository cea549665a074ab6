using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text;

namespace ParallelJobs.Json;

/// <summary>
/// The module's own strict JSON reader, for the job log (and for response bodies only where PowerShell's own
/// converter, <see cref="PowerShellJson"/>, cannot be found): PSCustomObject for objects, object[] for
/// arrays, string, long (or double, or decimal when too big for long), bool and null.
/// Hand-written because netstandard2.0 has no JSON parser, and shipping one would clash with the copy
/// PowerShell 7 already loads. Throws <see cref="FormatException"/> naming the position of bad input.
/// </summary>
internal sealed class JsonParser
{
    /// <summary>Deeper nesting than this is refused rather than risking the worker's stack.</summary>
    private const int MaxDepth = 512;

    private readonly string _text;
    private int _at;

    private JsonParser(string text)
    {
        _text = text;
    }

    public static object? Parse(string text)
    {
        var parser = new JsonParser(text);
        parser.SkipSpace();
        if (parser._at < text.Length && text[parser._at] == '\uFEFF')
        {
            parser._at++;
            parser.SkipSpace();
        }

        object? value = parser.ReadValue(0);
        parser.SkipSpace();
        if (parser._at != text.Length)
        {
            throw parser.Error("unexpected text after the end of the JSON value");
        }

        return value;
    }

    private object? ReadValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error($"nested deeper than {MaxDepth} levels");
        }

        char c = Peek("a value");
        switch (c)
        {
            case '{':
                return ReadObject(depth);
            case '[':
                return ReadArray(depth);
            case '"':
                return ReadString();
            case 't':
                return ReadWord("true", true);
            case 'f':
                return ReadWord("false", false);
            case 'n':
                return ReadWord("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ReadNumber();
                }

                throw Error($"unexpected character '{c}'");
        }
    }

    private PSObject ReadObject(int depth)
    {
        _at++;
        var result = new PSObject();
        SkipSpace();
        if (Peek("a property name or '}'") == '}')
        {
            _at++;
            return result;
        }

        while (true)
        {
            SkipSpace();
            if (Peek("a property name") != '"')
            {
                throw Error("expected a property name in double quotes");
            }

            string name = ReadString();
            SkipSpace();
            Expect(':');
            SkipSpace();
            object? value = ReadValue(depth + 1);

            // PowerShell properties need a name; as with duplicates, the last value wins.
            if (name.Length > 0)
            {
                if (result.Properties[name] is { } existing)
                {
                    existing.Value = value;
                }
                else
                {
                    result.Properties.Add(new PSNoteProperty(name, value));
                }
            }

            SkipSpace();
            char next = Peek("',' or '}'");
            _at++;
            if (next == '}')
            {
                return result;
            }

            if (next != ',')
            {
                _at--;
                throw Error("expected ',' or '}'");
            }
        }
    }

    private object?[] ReadArray(int depth)
    {
        _at++;
        var items = new List<object?>();
        SkipSpace();
        if (Peek("a value or ']'") == ']')
        {
            _at++;
            return items.ToArray();
        }

        while (true)
        {
            SkipSpace();
            items.Add(ReadValue(depth + 1));
            SkipSpace();
            char next = Peek("',' or ']'");
            _at++;
            if (next == ']')
            {
                return items.ToArray();
            }

            if (next != ',')
            {
                _at--;
                throw Error("expected ',' or ']'");
            }
        }
    }

    private string ReadString()
    {
        _at++;
        StringBuilder? text = null;
        int runStart = _at;
        while (true)
        {
            if (_at >= _text.Length)
            {
                throw Error("the text ends inside a string");
            }

            char c = _text[_at];
            if (c == '"')
            {
                string tail = _text.Substring(runStart, _at - runStart);
                _at++;
                return text is null ? tail : text.Append(tail).ToString();
            }

            if (c < ' ')
            {
                throw Error("a control character inside a string must be escaped");
            }

            if (c != '\\')
            {
                _at++;
                continue;
            }

            text ??= new StringBuilder();
            text.Append(_text, runStart, _at - runStart);
            _at++;
            char escaped = Peek("an escape");
            _at++;
            switch (escaped)
            {
                case '"': text.Append('"'); break;
                case '\\': text.Append('\\'); break;
                case '/': text.Append('/'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'u':
                    if (_at + 4 > _text.Length || !int.TryParse(_text.Substring(_at, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                    {
                        throw Error("a \\u escape needs four hex digits");
                    }

                    text.Append((char)code);
                    _at += 4;
                    break;
                default:
                    _at--;
                    throw Error($"unknown escape '\\{escaped}'");
            }

            runStart = _at;
        }
    }

    private object ReadNumber()
    {
        int start = _at;
        if (_text[_at] == '-')
        {
            _at++;
        }

        bool integral = true;
        int digits = SkipDigits();
        if (digits == 0)
        {
            throw Error("a number needs digits");
        }

        if (digits > 1 && _text[_at - digits] == '0')
        {
            _at -= digits - 1;
            throw Error("a number must not start with 0");
        }

        if (_at < _text.Length && _text[_at] == '.')
        {
            integral = false;
            _at++;
            if (SkipDigits() == 0)
            {
                throw Error("a decimal point needs digits after it");
            }
        }

        if (_at < _text.Length && (_text[_at] == 'e' || _text[_at] == 'E'))
        {
            integral = false;
            _at++;
            if (_at < _text.Length && (_text[_at] == '+' || _text[_at] == '-'))
            {
                _at++;
            }

            if (SkipDigits() == 0)
            {
                throw Error("an exponent needs digits");
            }
        }

        string number = _text.Substring(start, _at - start);
        if (integral)
        {
            if (long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole))
            {
                return whole;
            }

            if (decimal.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out decimal big))
            {
                return big;
            }
        }

        return double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private int SkipDigits()
    {
        int start = _at;
        while (_at < _text.Length && _text[_at] >= '0' && _text[_at] <= '9')
        {
            _at++;
        }

        return _at - start;
    }

    private object? ReadWord(string word, object? value)
    {
        if (string.CompareOrdinal(_text, _at, word, 0, word.Length) != 0)
        {
            throw Error($"unexpected character '{_text[_at]}'");
        }

        _at += word.Length;
        return value;
    }

    private char Peek(string expected)
    {
        if (_at >= _text.Length)
        {
            throw Error($"the text ends where {expected} was expected");
        }

        return _text[_at];
    }

    private void Expect(char c)
    {
        if (Peek($"'{c}'") != c)
        {
            throw Error($"expected '{c}'");
        }

        _at++;
    }

    private void SkipSpace()
    {
        while (_at < _text.Length && (_text[_at] == ' ' || _text[_at] == '\t' || _text[_at] == '\n' || _text[_at] == '\r'))
        {
            _at++;
        }
    }

    private FormatException Error(string what)
    {
        int line = 1;
        int column = 1;
        for (int i = 0; i < _at && i < _text.Length; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return new FormatException($"Invalid JSON at line {line}, column {column} (offset {_at}): {what}.");
    }
}
