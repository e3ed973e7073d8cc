namespace ConformanceSuite.Cli;

/// <summary>The entry point's exit codes.</summary>
public static class ExitCodes
{
    public const int Conformant = 0;
    public const int NotConformant = 1;
    public const int UsageOrConfiguration = 2;
    public const int Unreachable = 3;

    /// <summary>Nothing fails, but something selected was not fully checked (0 with --accept-incomplete; the verdict line still says INCOMPLETE).</summary>
    public const int Incomplete = 4;

    /// <summary>
    /// The exit code of a run's results. Under fail-on new (a CI gate with a baseline) only a regression fails;
    /// requirements that failed before too do not. A requirement checked in full in the baseline but not now makes
    /// the run incomplete (a change must not pass the gate by making the suite check less).
    /// </summary>
    public static int Of(Running.RunResults results, bool acceptIncomplete) => results.FailOn == "new"
        ? results.Regressed ? NotConformant
        : results.Baseline is { LessChecked.Count: > 0 } && !acceptIncomplete ? Incomplete
        : Conformant
        : results.Outcome switch
        {
            Running.RunOutcome.Conformant => Conformant,
            Running.RunOutcome.Incomplete => acceptIncomplete ? Conformant : Incomplete,
            _ => NotConformant,
        };

    /// <summary>The exit code of an error a command reports in one line, if it is one: bad input or configuration (2), a target that cannot be reached (3).</summary>
    public static int? ForError(Exception error) => error switch
    {
        ConfigurationException => UsageOrConfiguration,
        Engine.TargetUnreachableException => Unreachable,
        _ => null,
    };

    /// <summary>
    /// Writes an error as one line (never a stack trace) and gives its exit code: <see cref="ForError"/>'s, else 2. An
    /// exception that is not one of those is a defect of the tool that some input reached; it is named by its type, still in
    /// one line (the main run and every subcommand report through here).
    /// </summary>
    public static async Task<int> ReportAsync(TextWriter stderr, Exception error, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(error);
        context ??= ForError(error) is null ? $"unexpected error ({error.GetType().Name}; a defect of the tool, please report it with the command line): " : null;
        await stderr.WriteLineAsync($"conformance: {context}{error.Message.ReplaceLineEndings(" ")}");
        return ForError(error) ?? UsageOrConfiguration;
    }
}
