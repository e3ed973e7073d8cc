using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace ConformanceSuite.Contracts;

/// <summary>
/// The longest a schema's <c>pattern</c> may take on one value of the provider's. NJsonSchema matches patterns with
/// the process's default timeout, which is none unless a host set it before its first expression (a test host has
/// made one by the time the suite loads). A pattern that backtracks (<c>^(a+)+$</c>; real specs' e-mail and name
/// patterns are often such) against 30-odd characters the provider chooses takes minutes, then hours. So each value
/// is first matched here, under a bound (<see cref="Http.HttpSettings.PatternTimeout"/>, <see cref="DefaultLimit"/>
/// unless the target sets another); past it, <see cref="RegexMatchTimeoutException"/> ends the
/// validation before NJsonSchema repeats the match without a bound. A match that ends here ends there too: same
/// pattern, same engine, same value.
/// </summary>
public static class PatternBound
{
    /// <summary>The bound when none is given: a pattern that does not backtrack judges a short value in microseconds.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(1);

    /// <summary>Values longer than this are not remembered as too slow (the inputs that make a pattern backtrack are short).</summary>
    private const int MaxRememberedChars = 4096;

    private const int MaxRemembered = 256;

    private static readonly ConcurrentDictionary<(string Pattern, TimeSpan Limit), Regex> Expressions = new();

    /// <summary>
    /// The pattern, value and bound triples that went past the bound. A provider that repeats such a value in every
    /// page would otherwise cost the bound's time again on each: the same pair takes as long every time.
    /// </summary>
    private static readonly ConcurrentDictionary<(string Pattern, string Value, TimeSpan Limit), bool> TooSlow = new();

    private static readonly ConcurrentDictionary<string, string> SchemaReadings = new();

    /// <summary>
    /// Matches <paramref name="value"/> as JSON Schema means <paramref name="pattern"/> (<see cref="EcmaPattern"/>), under
    /// the same bound; a timeout names the pattern as the schema has it.
    /// </summary>
    public static bool IsSchemaMatch(string pattern, string value, TimeSpan limit)
    {
        try
        {
            return IsMatch(SchemaReadings.GetOrAdd(pattern, EcmaPattern.Translate), value, limit);
        }
        catch (RegexMatchTimeoutException ex)
        {
            throw new RegexMatchTimeoutException(ex.Input, pattern, ex.MatchTimeout);
        }
    }

    /// <summary>
    /// Matches <paramref name="value"/> as NJsonSchema would; throws <see cref="RegexMatchTimeoutException"/> past
    /// <paramref name="limit"/>.
    /// </summary>
    public static bool IsMatch(string pattern, string value, TimeSpan limit)
    {
        if (TooSlow.ContainsKey((pattern, value, limit)))
        {
            throw new RegexMatchTimeoutException(value, pattern, limit);
        }

        try
        {
            return Expressions.GetOrAdd((pattern, limit), key => new Regex(key.Pattern, RegexOptions.None, key.Limit)).IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            if (value.Length <= MaxRememberedChars && TooSlow.Count < MaxRemembered)
            {
                TooSlow.TryAdd((pattern, value, limit), true);
            }

            throw;
        }
    }
}
