using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.Csv;

/// <summary>The test of one row rule on one value: true when the value satisfies it.</summary>
public delegate bool CsvValueTest(ReadOnlySpan<char> value);

/// <summary>
/// The tests behind the CSV row rules. Each rule keeps its reference definition (a regular expression, a parse);
/// the common shapes get a hand-written fast path in front of it that only ever says "valid" when the
/// reference would, and hands every other value to the reference. So a value is judged exactly as before,
/// and valid rows (nearly all of them) never reach a regular expression or a culture-aware parse.
/// </summary>
public static class CsvRuleTests
{
    // \z, not $: a .NET '$' also matches before a final newline, and a quoted CSV value may end in one.
    private static readonly Regex Iso8601 = new(
        @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?\z",
        RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));

    private static readonly ConcurrentDictionary<(string Pattern, TimeSpan Limit), Regex> Patterns = new();

    /// <summary>
    /// After this many values went past the pattern's bound, a test given somewhere to count them no longer
    /// tries its pattern (a file of a million such rows would otherwise take a million seconds).
    /// </summary>
    public const int MaxPatternTimeouts = 3;

    /// <summary>
    /// The test of one rule. A value its pattern cannot judge within <paramref name="patternTimeout"/> (a pattern of a
    /// user's contract that backtracks), and every value after <see cref="MaxPatternTimeouts"/> such, goes to
    /// <paramref name="tooSlow"/> (its length) and counts as no problem; without <paramref name="tooSlow"/>, the
    /// timeout is thrown. A null bound is <see cref="PatternBound.DefaultLimit"/>.
    /// </summary>
    public static CsvValueTest For(CsvRule rule, Action<int>? tooSlow = null, TimeSpan? patternTimeout = null) => rule.Kind switch
    {
        "pattern" => Pattern(rule.Pattern ?? ".*", tooSlow, patternTimeout),
        "iso8601-datetime" => v => IsPlainIsoDateTime(v) || IsIsoDateTimeReference(v),
        "integer" => v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        "non-empty" => v => v.Length > 0,
        _ => throw new ConfigurationException($"unknown CSV rule kind '{rule.Kind}'"),
    };

    /// <summary>The reference test of an ISO 8601 date-time: the shape, then a real date and time.</summary>
    public static bool IsIsoDateTimeReference(ReadOnlySpan<char> value) =>
        Iso8601.IsMatch(value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);

    /// <summary>
    /// The test of a pattern rule: a fast path for one character class repeated, else the expression, read as JSON
    /// Schema's patterns are (<see cref="EcmaPattern"/>: '$' the end of the value, '\d' ASCII digits), compiled once per
    /// pattern for the process (a file whose values all miss the fast path still runs at regex speed).
    /// </summary>
    public static CsvValueTest Pattern(string pattern, Action<int>? tooSlow = null, TimeSpan? patternTimeout = null)
    {
        var regex = Patterns.GetOrAdd((pattern, patternTimeout ?? PatternBound.DefaultLimit),
            key => new Regex(EcmaPattern.Translate(key.Pattern), RegexOptions.CultureInvariant | RegexOptions.Compiled, key.Limit));
        var timeouts = 0;
        CsvValueTest expression = tooSlow is null ? regex.IsMatch : v =>
        {
            try
            {
                if (timeouts < MaxPatternTimeouts)
                {
                    return regex.IsMatch(v);
                }
            }
            catch (RegexMatchTimeoutException)
            {
                timeouts++;
            }

            tooSlow(v.Length);
            return true;
        };
        var simple = RepeatedClass.TryParse(pattern);
        return simple is null ? expression : v => simple.Matches(v) || expression(v);
    }

    /// <summary>Whether a pattern has the hand-written fast path (one character class, repeated).</summary>
    public static bool HasFastPath(string pattern) => RepeatedClass.TryParse(pattern) is not null;

    /// <summary>
    /// True only for the plain, common form <c>yyyy-MM-ddTHH:mm[:ss[.f{1,7}]][Z|±hh[[:]mm]]</c> with ASCII digits, a year
    /// 2..9998 (clear of DateTimeOffset's limits whatever the offset), a real calendar day, hours 0..23,
    /// minutes and seconds 0..59 and an offset within ±14:00: values the reference accepts too. False means
    /// "not sure", never "invalid": the caller then asks the reference.
    /// </summary>
    public static bool IsPlainIsoDateTime(ReadOnlySpan<char> v)
    {
        if (v.Length < 16 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':')
        {
            return false;
        }

        var year = (Two(v, 0) * 100) + Two(v, 2);
        var month = Two(v, 5);
        var day = Two(v, 8);
        var hour = Two(v, 11);
        var minute = Two(v, 14);
        if ((uint)(year - 2) > 9996 || (uint)(month - 1) > 11 || day < 1 || day > DaysIn(year, month) || (uint)hour > 23 || (uint)minute > 59)
        {
            return false; // a part out of range, or not digits (Two gives a negative or too large number then)
        }

        var at = 16;
        if (at < v.Length && v[at] == ':')
        {
            if (v.Length < at + 3 || (uint)Two(v, at + 1) > 59)
            {
                return false;
            }

            at += 3;
            if (at < v.Length && v[at] == '.')
            {
                var start = ++at;
                while (at < v.Length && char.IsAsciiDigit(v[at]))
                {
                    at++;
                }

                if (at == start || at - start > 7)
                {
                    return false;
                }
            }
        }

        if (at == v.Length)
        {
            return true;
        }

        if (v[at] == 'Z')
        {
            return at + 1 == v.Length;
        }

        if (v[at] is not ('+' or '-') || v.Length < at + 3)
        {
            return false;
        }

        var offsetHours = Two(v, at + 1);
        var offsetMinutes = 0;
        at += 3;
        if (at < v.Length)
        {
            if (v[at] == ':')
            {
                at++;
            }

            if (at + 2 != v.Length)
            {
                return false;
            }

            offsetMinutes = Two(v, at);
        }

        return (uint)offsetMinutes <= 59 && ((uint)offsetHours < 14 || (offsetHours == 14 && offsetMinutes == 0));
    }

    /// <summary>Two ASCII digits as a number 0..99; anything else gives a number outside 0..99.</summary>
    private static int Two(ReadOnlySpan<char> v, int at)
    {
        var tens = (uint)(v[at] - '0');
        var ones = (uint)(v[at + 1] - '0');
        return tens > 9 || ones > 9 ? -1000 : (int)((tens * 10) + ones);
    }

    private static int DaysIn(int year, int month) =>
        month == 2 ? (DateTime.IsLeapYear(year) ? 29 : 28) : month is 4 or 6 or 9 or 11 ? 30 : 31;

    /// <summary>
    /// A pattern of the form <c>^[class]{m,n}$</c> (also <c>{m}</c>, <c>{m,}</c>, <c>+</c>, <c>*</c>, <c>\d</c>), the class
    /// made of literal ASCII characters and ranges. <see cref="Matches"/> accepts a value made only of the class's
    /// characters with a length in range: the expression matches it too (it may match more).
    /// </summary>
    internal sealed class RepeatedClass
    {
        private readonly bool[] allowed = new bool[128];
        private SearchValues<char> members = SearchValues.Create("");
        private int min;
        private int max;

        public bool Matches(ReadOnlySpan<char> value) =>
            value.Length >= min && value.Length <= max && !value.ContainsAnyExcept(members);

        public static RepeatedClass? TryParse(string pattern)
        {
            if (pattern.Length < 4 || pattern[0] != '^' || pattern[^1] != '$')
            {
                return null;
            }

            var body = pattern.AsSpan(1, pattern.Length - 2);
            var parsed = new RepeatedClass();
            int rest;
            if (body.StartsWith(@"\d", StringComparison.Ordinal))
            {
                parsed.Allow('0', '9');
                rest = 2;
            }
            else if (body[0] == '[')
            {
                var close = body.IndexOf(']');
                if (close < 2 || !parsed.TryAllow(body[1..close]))
                {
                    return null;
                }

                rest = close + 1;
            }
            else
            {
                return null;
            }

            if (!parsed.TryQuantifier(body[rest..]))
            {
                return null;
            }

            parsed.members = SearchValues.Create([.. Enumerable.Range(0, 128).Where(c => parsed.allowed[c]).Select(c => (char)c)]);
            return parsed;
        }

        private bool TryAllow(ReadOnlySpan<char> members)
        {
            if (members[0] == '^')
            {
                return false; // a negated class also matches non-ASCII characters: left to the expression
            }

            for (var i = 0; i < members.Length; i++)
            {
                var c = members[i];
                if (!IsLiteral(c))
                {
                    return false;
                }

                if (i + 2 < members.Length && members[i + 1] == '-')
                {
                    var to = members[i + 2];
                    if (!IsLiteral(to) || to < c)
                    {
                        return false;
                    }

                    Allow(c, to);
                    i += 2;
                }
                else
                {
                    Allow(c, c);
                }
            }

            return true;
        }

        private static bool IsLiteral(char c) => c is >= ' ' and < (char)127 && c is not ('\\' or '[' or ']' or '-' or '^');

        private void Allow(char from, char to)
        {
            for (var c = from; c <= to; c++)
            {
                allowed[c] = true;
            }
        }

        private bool TryQuantifier(ReadOnlySpan<char> q)
        {
            (min, max) = (1, 1);
            if (q.Length == 0)
            {
                return true;
            }

            if (q is "+")
            {
                (min, max) = (1, int.MaxValue);
                return true;
            }

            if (q is "*")
            {
                (min, max) = (0, int.MaxValue);
                return true;
            }

            if (q.Length < 3 || q[0] != '{' || q[^1] != '}')
            {
                return false;
            }

            var inner = q[1..^1];
            var comma = inner.IndexOf(',');
            var style = NumberStyles.None;
            if (comma < 0)
            {
                if (!int.TryParse(inner, style, CultureInfo.InvariantCulture, out min))
                {
                    return false;
                }

                max = min;
                return true;
            }

            if (!int.TryParse(inner[..comma], style, CultureInfo.InvariantCulture, out min))
            {
                return false;
            }

            if (comma == inner.Length - 1)
            {
                max = int.MaxValue;
                return true;
            }

            return int.TryParse(inner[(comma + 1)..], style, CultureInfo.InvariantCulture, out max) && max >= min;
        }
    }
}
