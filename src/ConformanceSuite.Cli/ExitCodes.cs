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

    /// <summary>The exit code of a run's results.</summary>
    public static int Of(Running.RunResults results, bool acceptIncomplete) => results.Outcome switch
    {
        Running.RunOutcome.Conformant => Conformant,
        Running.RunOutcome.Incomplete => acceptIncomplete ? Conformant : Incomplete,
        _ => NotConformant,
    };
}
