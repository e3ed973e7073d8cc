using System.Globalization;
using System.Text.RegularExpressions;

namespace ConformanceSuite.Contracts;

/// <summary>ISO 8601 date-times as the contracts use them: parsing for comparisons, and the strict wire form.</summary>
public static partial class IsoDates
{
    /// <summary>
    /// The value as a date-time, or null when it is not one. A value with no zone is taken as UTC, not as the
    /// machine's local time, so that it is the same instant on every machine that runs the suite.
    /// </summary>
    public static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    /// <summary>A full date-time with seconds optional and a zone required (Z or an offset), as a query value must be.</summary>
    public static bool IsStrict(string text) => WireForm().IsMatch(text) && Parse(text) is not null;

    // \z, not $: a .NET '$' also matches before a final newline.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex WireForm();
}
