using System.Buffers;
using System.Globalization;
using System.Text;

namespace ConformanceSuite.Http;

/// <summary>
/// Text that came from a provider (a value, a header line, a record, a URL built from its cursor, a parser's
/// message), as reports quote it: a provider can send megabytes of it, and no report may grow with that.
/// </summary>
public static class ProviderText
{
    /// <summary>The most characters of one such text a finding, a note, a reason or an exchange's URL keeps.</summary>
    public const int MaxChars = 1000;

    /// <summary>
    /// <paramref name="text"/>, or its first <see cref="MaxChars"/> characters (never half a surrogate pair) and how
    /// long it was. Cut after redaction: a secret cut in two would no longer be recognised.
    /// </summary>
    public static string Bounded(string text) => Bounded(text, MaxChars);

    /// <summary>The characters that end a line somewhere: in a terminal, in a CI log (whose runner obeys a line that starts with <c>::</c>), in a log viewer.</summary>
    private static readonly SearchValues<char> LineBreaks = SearchValues.Create("\r\n\u0085\u2028\u2029");

    /// <summary>
    /// <paramref name="text"/> on one line: each line break in it (CR, LF, NEL, the line and paragraph separators) written
    /// as its escape (<c>\r</c>, <c>\n</c>, <c>\u2028</c>). For the line-based outputs (the console, a CI log) that quote
    /// a provider's text inside a line of the suite's own: a break there would start a line the provider wrote, one a
    /// CI runner obeys as a command, or one that reads as a verdict of the suite.
    /// </summary>
    public static string OneLine(string text) => Escaped(text, LineBreaks, c => c switch { '\r' => "\\r", '\n' => "\\n", _ => null });

    /// <summary>
    /// <paramref name="text"/> with each character of <paramref name="escaped"/> written as its escape: the one
    /// <paramref name="shortEscape"/> gives, else <c>\uXXXX</c>. The text itself when it has none (most have none).
    /// </summary>
    private static string Escaped(string text, SearchValues<char> escaped, Func<char, string?> shortEscape)
    {
        var at = text.AsSpan().IndexOfAny(escaped);
        if (at < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16).Append(text.AsSpan(0, at));
        foreach (var c in text.AsSpan(at))
        {
            _ = !escaped.Contains(c) ? sb.Append(c)
                : shortEscape(c) is { } escape ? sb.Append(escape)
                : sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        }

        return sb.ToString();
    }

    /// <summary>
    /// The characters that make a view show other than what was sent: the bidirectional controls (embeddings, overrides,
    /// isolates, the marks), which reorder what follows them in a browser, a CI page or an editor (".png" shown for
    /// "gnp." after U+202E), and the line and paragraph separators, which break a line in some views and in none of the
    /// suite's line-based checks; and the control characters but tab, CR and LF (ESC sequences, a bell, NUL), which a
    /// terminal that shows a report obeys and HTML has no place for.
    /// </summary>
    private static readonly SearchValues<char> Misleading = SearchValues.Create(
        [.. new[] { 0x061C, 0x200E, 0x200F, 0x2028, 0x2029 }.Concat(Enumerable.Range(0x202A, 5)).Concat(Enumerable.Range(0x2066, 4))
            .Concat(Enumerable.Range(0, 0x20).Where(c => c is not ('\t' or '\r' or '\n'))).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)]);

    /// <summary>
    /// <paramref name="text"/> with each of those characters written as its escape (<c>\u202E</c>): for the views of the
    /// reports (HTML, Markdown, an exchange's excerpt, whose control characters are U+FFFD before), where evidence must
    /// read as what the provider sent.
    /// </summary>
    public static string Visible(string text) => Escaped(text, Misleading, _ => null);

    /// <summary><paramref name="text"/>, or its first <paramref name="maxChars"/> characters and how long it was.</summary>
    public static string Bounded(string text, int maxChars)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }

        var keep = char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;
        return string.Create(CultureInfo.InvariantCulture, $"{text.AsSpan(0, keep)}… ({text.Length:N0} characters in all)");
    }
}
