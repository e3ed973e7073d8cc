using System.Text;

namespace ConformanceSuite.Contracts;

/// <summary>
/// A pattern as JSON Schema means it (ECMA-262, no flags), made into the .NET expression that matches the same
/// values. The two dialects share their syntax but not all of their meaning, and each difference lets a wrong value
/// through under .NET's reading:
/// <list type="bullet">
/// <item><c>$</c> is the end of the value; .NET's also matches before a final newline ("5519900000001\n").</item>
/// <item><c>\d</c> and <c>\w</c> are ASCII; .NET's take any script's digits and letters ("١٢٣").</item>
/// <item><c>.</c> takes no line terminator (CR, LS, PS); .NET's only refuses LF.</item>
/// <item><c>\s</c> is ECMA-262's white space and line terminators (U+FEFF, not U+0085).</item>
/// </list>
/// Each is rewritten where it is an operator: not escaped, and (but for the classes inside one) not in a
/// character class. Left as .NET reads them: <c>\D</c>, <c>\W</c>, <c>\S</c> inside a class, and <c>\b</c>.
/// </summary>
public static class EcmaPattern
{
    /// <summary>ECMA-262's white space (TAB, VT, FF, SP, NBSP, ZWNBSP, the Zs category) and line terminators, as class members.</summary>
    private const string Spaces = @"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";

    private const string Word = "a-zA-Z0-9_";

    public static string Translate(string pattern)
    {
        var text = new StringBuilder(pattern.Length + 16);
        var depth = 0; // inside a character class (and its subtractions, [a-z-[aeiou]]) when above 0
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var e = pattern[++i];
                text.Append((depth, e) switch
                {
                    (0, 'd') => "[0-9]",
                    (0, 'D') => "[^0-9]",
                    (0, 'w') => $"[{Word}]",
                    (0, 'W') => $"[^{Word}]",
                    (0, 's') => $"[{Spaces}]",
                    (0, 'S') => $"[^{Spaces}]",
                    (_, 'd') => "0-9",
                    (_, 'w') => Word,
                    (_, 's') => Spaces,
                    _ => $"\\{e}",
                });
                continue;
            }

            if (depth == 0 && c == '$')
            {
                text.Append(@"\z");
                continue;
            }

            if (depth == 0 && c == '.')
            {
                text.Append(@"[^\n\r\u2028\u2029]");
                continue;
            }

            text.Append(c);
            if (c == '[' && (depth == 0 || pattern[i - 1] == '-'))
            {
                depth++;
                // A ']' first in a class (after '^', if any) is a member, not its end, as .NET reads it.
                if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                {
                    text.Append(pattern[++i]);
                }

                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    text.Append(pattern[++i]);
                }
            }
            else if (c == ']' && depth > 0)
            {
                depth--;
            }
        }

        return text.ToString();
    }
}
