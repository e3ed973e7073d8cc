using System.Collections;
using ConformanceSuite.Checks;

namespace ConformanceSuite.Cli;

/// <summary>What the CLI runs in: its environment variables, whether stdout is a terminal, and (for tests) the check kinds.</summary>
public sealed record CliContext
{
    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    /// <summary>stdout is a terminal: a live status line is drawn under the progress.</summary>
    public bool Interactive { get; init; }

    /// <summary>The check kinds; null for the built-in ones.</summary>
    public CheckRegistry? Checks { get; init; }

    public static CliContext FromProcess() => new()
    {
        Variables = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal),
        Interactive = !Console.IsOutputRedirected,
    };
}
