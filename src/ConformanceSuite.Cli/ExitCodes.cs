namespace ConformanceSuite.Cli;

/// <summary>The entry point's exit codes.</summary>
public static class ExitCodes
{
    public const int Conformant = 0;
    public const int NotConformant = 1;
    public const int UsageOrConfiguration = 2;
    public const int Unreachable = 3;
}
