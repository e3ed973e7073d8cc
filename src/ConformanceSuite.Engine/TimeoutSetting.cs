using System.Globalization;

namespace ConformanceSuite.Engine;

/// <summary>
/// A timeout given as a number of seconds on the command line or in a variable, held to the bounds a target profile's
/// <c>timeouts</c> have (target.schema.json): above 0, and not past the profile's maximum.
/// </summary>
public static class TimeoutSetting
{
    /// <summary>The most a request may take (the profile's timeouts.requestSeconds).</summary>
    public const double MaxRequestSeconds = 600;

    /// <summary>The longest wait for the next bytes of a body (the profile's timeouts.idleSeconds).</summary>
    public const double MaxIdleSeconds = 600;

    /// <summary>The most the whole run may take (the profile's timeouts.runSeconds).</summary>
    public const double MaxRunSeconds = 86400;

    /// <summary>The most a pattern may take on one value (the profile's timeouts.patternSeconds).</summary>
    public const double MaxPatternSeconds = 60;

    /// <summary>The timeout the text says, or null with what is wrong with it (to follow the option's or variable's name).</summary>
    public static TimeSpan? Parse(string text, double maximum, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= maximum
            && TimeSpan.FromSeconds(seconds) is { Ticks: > 0 } timeout)
        {
            problem = null;
            return timeout;
        }

        problem = $"expected a number of seconds above 0 (at least 0.0000001) and at most {maximum.ToString(CultureInfo.InvariantCulture)}";
        return null;
    }
}
