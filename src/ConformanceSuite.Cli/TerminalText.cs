using System.Buffers;
using System.Globalization;
using System.Text;

namespace ConformanceSuite.Cli;

/// <summary>
/// Text for the console that a provider (or a package being verified) may have written: a value quoted in a finding,
/// an error body, a manifest's description. A terminal obeys the control characters in it: ESC starts a sequence that
/// can clear the screen, move the cursor over a verdict already printed, set the window's title or write a link
/// (ESC ] 8); a carriage return overwrites its line; C1's CSI is ESC [ on some terminals; bidirectional overrides
/// reorder what is shown. Each is printed as its <c>\uXXXX</c> escape instead, so the console shows what was sent.
/// Line ends (LF, CR LF) and tabs stay.
/// </summary>
internal static class TerminalText
{
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        Enumerable.Range(0, 0x20).Where(c => c is not ('\n' or '\t')).Concat(Enumerable.Range(0x7F, 0x21))
            .Concat([0x061C, 0x200E, 0x200F]).Concat(Enumerable.Range(0x202A, 5)).Concat(Enumerable.Range(0x2066, 4))
            .Select(c => (char)c).ToArray());

    public static string Safe(string text)
    {
        var at = text.AsSpan().IndexOfAny(Unsafe);
        if (at < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16).Append(text.AsSpan(0, at));
        for (var i = at; i < text.Length; i++)
        {
            var c = text[i];
            if (Unsafe.Contains(c) && !(c == '\r' && i + 1 < text.Length && text[i + 1] == '\n'))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
