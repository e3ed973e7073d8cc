using System.Text.Json;
using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;

namespace ConformanceSuite.Running;

/// <summary>Everything a run found: per requirement the verdict and its cases, per run the target and counts.</summary>
public sealed record RunResults
{
    public required ToolInfo Tool { get; init; }

    public required TargetInfo Target { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    public required int RequestCount { get; init; }

    /// <summary><c>fail</c> (default) or <c>deviation</c>: which verdicts make a run not conformant.</summary>
    public required string FailOn { get; init; }

    public required bool Conformant { get; init; }

    public required IReadOnlyDictionary<string, int> Counts { get; init; }

    public required IReadOnlyList<RequirementResult> Requirements { get; init; }

    public required IReadOnlyList<ApiInfo> Apis { get; init; }

    public static RunResults Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunResults>(File.ReadAllText(path), ResultsJson.Options)
                   ?? throw new ConfigurationException(path, "", "empty results file");
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException(path, "", $"not a results file: {ex.Message}");
        }
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, ResultsJson.Options));
    }

    public static bool FailsRun(Verdict verdict, string failOn) =>
        verdict == Verdict.Fail || (verdict == Verdict.Deviation && failOn == "deviation");
}

public sealed record ToolInfo(string Name, string Version);

public sealed record TargetInfo(string Name, string Description, bool Embedded, IReadOnlyDictionary<string, string> BaseUrls, IReadOnlyList<string> Faults);

public sealed record ApiInfo(string Id, string Title, bool Overridden, IReadOnlyList<Assumption> Assumptions, IReadOnlyList<DocFinding> DocFindings);

public sealed record RequirementResult
{
    public required string Api { get; init; }

    public required string Id { get; init; }

    public required string Title { get; init; }

    public required string Level { get; init; }

    public required string Category { get; init; }

    public required string Source { get; init; }

    public IReadOnlyList<string> Assumptions { get; init; } = [];

    public required bool RestsOnAssumption { get; init; }

    public required Verdict Verdict { get; init; }

    public string? Waived { get; init; }

    public double DurationMs { get; init; }

    public IReadOnlyList<CaseOutcome> Cases { get; init; } = [];

    /// <summary>Fail outranks deviation, which outranks skipped, which outranks pass.</summary>
    public static Verdict Worst(IEnumerable<Verdict> verdicts) =>
        verdicts.DefaultIfEmpty(Verdict.Skipped).MaxBy(v => v switch
        {
            Verdict.Fail => 3,
            Verdict.Deviation => 2,
            Verdict.Skipped => 1,
            _ => 0,
        });
}
