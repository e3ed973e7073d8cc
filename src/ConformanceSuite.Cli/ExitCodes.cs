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
    /// exception that is not one of those, and that the caller gives no context for, is a defect of the tool that some input
    /// reached; it is named by its type, still in one line, and its stack trace goes to a log file of its own, which the
    /// line names (the main run and every subcommand report through here).
    /// </summary>
    public static async Task<int> ReportAsync(TextWriter stderr, Exception error, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(error);
        var unexpected = context is null && ForError(error) is null;
        context ??= unexpected ? $"unexpected error ({error.GetType().Name}; a defect of the tool, please report it with the command line and the log file named here): " : null;
        var trace = unexpected ? $" ({KeepStackTrace(error)})" : "";
        await stderr.WriteLineAsync(TerminalText.Safe($"conformance: {context}{error.Message.ReplaceLineEndings(" ")}{trace}"));
        return ForError(error) ?? UsageOrConfiguration;
    }

    /// <summary>
    /// Writes an unexpected error, its stack trace included, to a new file in the temporary folder (readable by its owner
    /// only: a message may quote a path or a URL), and says where; or why it could not.
    /// </summary>
    private static string KeepStackTrace(Exception error)
    {
        var file = Path.Combine(Path.GetTempPath(), $"conformance-error-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}.log");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var writer = new StreamWriter(file, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options);
            writer.WriteLine($"ConformanceSuite {Running.ToolInfo.AssemblyVersion} on {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}: unexpected error at {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss'Z'}");
            writer.WriteLine(error.ToString());
            return $"stack trace in {file}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"its stack trace could not be written to {file}: {ex.Message.ReplaceLineEndings(" ")}";
        }
    }
}
