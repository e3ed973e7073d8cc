using System.Globalization;

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
