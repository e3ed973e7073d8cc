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

    /// <summary>Milliseconds spent loading the contracts and expanding the cases.</summary>
    public double PlanMs { get; init; }

    /// <summary>Milliseconds spent making the target ready: starting the embedded mock, or checking a live one is reachable.</summary>
    public double TargetMs { get; init; }

    /// <summary>Milliseconds spent running the cases (the rest of a run is start-up and reports).</summary>
    public double ChecksMs { get; init; }

    public required int RequestCount { get; init; }

    /// <summary>How long each endpoint took to answer: count, p50, p95 and max.</summary>
    public IReadOnlyList<EndpointLatency> Latency { get; init; } = [];

    /// <summary>
    /// <c>fail</c> (default), <c>deviation</c>, or <c>new</c>: which verdicts make a run not conformant. Under
    /// <c>new</c>, only a regression against the baseline does (a requirement failing now that did not before).
    /// </summary>
    public required string FailOn { get; init; }

    /// <summary>The earlier run this one was compared with (--baseline), with the requirements by change.</summary>
    public BaselineInfo? Baseline { get; init; }

    /// <summary>Conformant, not conformant, or incomplete (nothing fails, but something selected was not fully checked).</summary>
    public RunOutcome Outcome { get; init; }

    /// <summary>True only when every selected requirement was checked in full and none fails.</summary>
    public required bool Conformant { get; init; }

    /// <summary>The requirements not fully checked, each with why and the setting that would let it be.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<RequirementResult> NotFullyChecked => Requirements.Where(r => r.NotChecked.Count > 0);

    public required IReadOnlyDictionary<string, int> Counts { get; init; }

    public required IReadOnlyList<RequirementResult> Requirements { get; init; }

    public required IReadOnlyList<ApiInfo> Apis { get; init; }

    public static RunResults Read(string path)
    {
        RunResults results;
        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(InputFile.ReadAllText(path, "results file"))
                       ?? throw new ConfigurationException(path, "", "empty results file");
            if (ResultsJson.ResolveEvidence(node) is { } pointer)
            {
                throw new ConfigurationException(path, pointer, "not a results file: the place names none of the case's exchanges");
            }

            results = node.Deserialize<RunResults>(ResultsJson.Options) ?? throw new ConfigurationException(path, "", "empty results file");
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException(path, "", $"not a results file: {ex.Message}");
        }

        // The serializer lets null through where a results file never has it; a comparison would trip on it.
        if (results.Tool is null || results.Target is null || results.Requirements is null
            || results.Requirements.Any(r => r is null || r.Cases is null || r.Cases.Any(c => c is null)))
        {
            throw new ConfigurationException(path, "", "not a results file: the tool, the target, a requirement or a case is null");
        }

        // Nor a name, an id or an undefined verdict (the enum reader takes any number): the comparison and the reports read them.
        if (results.Target.Name is null)
        {
            throw new ConfigurationException(path, "/target/name", "not a results file: the target's name is null");
        }

        for (var i = 0; i < results.Requirements.Count; i++)
        {
            var r = results.Requirements[i];
            var problem = r.Api is null || r.Id is null ? "has no api or id"
                : !Enum.IsDefined(r.Verdict) ? $"has the verdict {(int)r.Verdict}, which is none the tool writes"
                : r.Cases.FirstOrDefault(c => !Enum.IsDefined(c.Verdict)) is { } c ? $"has a case of the verdict {(int)c.Verdict}, which is none the tool writes"
                : null;
            if (problem is not null)
            {
                throw new ConfigurationException(path, $"/requirements/{i}", $"not a results file: requirement {i} {problem}");
            }
        }

        if (results.Requirements.GroupBy(r => (r.Api, r.Id)).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ConfigurationException(path, "/requirements", $"not a results file: requirement {twice.Key.Api}/{twice.Key.Id} appears more than once");
        }

        return results;
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var node = JsonSerializer.SerializeToNode(this, ResultsJson.Options)!;
        ResultsJson.ShareEvidence(node);
        File.WriteAllText(path, node.ToJsonString(ResultsJson.Options));
    }

    /// <summary>Every report of a run into one folder: results.json, junit.xml, report.md, report.html (and the request log and run log when given).</summary>
    public void WriteAll(string dir, Http.RequestLog? log = null, RunLog? runLog = null)
    {
        Directory.CreateDirectory(dir);
        var failed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        // Each report on its own: one that cannot be written must not cost the others. They only read the
        // results and the logs, so they are written side by side.
        Action Try(string file, Action write) => () =>
        {
            try
            {
                write();
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
            {
                failed.Enqueue($"{file}: {ex.Message}");
            }
        };

        List<Action> writers =
        [
            Try("results.json", () => Write(Path.Combine(dir, "results.json"))),
            Try("junit.xml", () => JUnitReport.Write(this, Path.Combine(dir, "junit.xml"))),
            Try("report.md", () => File.WriteAllText(Path.Combine(dir, "report.md"), TextReports.Markdown(this))),
            Try("report.html", () => HtmlReport.Write(this, Path.Combine(dir, "report.html"))),
        ];
        if (log is not null)
        {
            writers.Add(Try("requests.jsonl", () => log.WriteJsonLines(Path.Combine(dir, "requests.jsonl"))));
        }

        if (runLog is not null)
        {
            writers.Add(Try(RunLog.FileName, () => runLog.Write(Path.Combine(dir, RunLog.FileName))));
        }

        Parallel.Invoke([.. writers]);
        if (!failed.IsEmpty)
        {
            throw new ConfigurationException($"some reports could not be written to {dir}: {string.Join("; ", failed.Order(StringComparer.Ordinal))}");
        }
    }

    /// <summary>The report files every run writes.</summary>
    public static readonly IReadOnlyList<string> ReportFiles = ["results.json", "junit.xml", "report.md", "report.html", "requests.jsonl", RunLog.FileName];

    /// <summary>
    /// Not conformant when a requirement fails the run; else incomplete when a requirement (not declared not
    /// applicable) has a case that was not checked in full; else conformant.
    /// </summary>
    public static RunOutcome OutcomeOf(IEnumerable<RequirementResult> requirements, string failOn)
    {
        // The outcome says what the provider is; under fail-on new it is the gate (the exit code) that looks only at regressions.
        var list = requirements.ToList();
        var judged = failOn == "new" ? "fail" : failOn;
        // A run whose every requirement the profile says does not apply judged nothing: it is no proof of conformance.
        return list.Any(r => FailsRun(r.Verdict, judged)) ? RunOutcome.NotConformant
            : list.Any(r => r.Verdict != Verdict.NotApplicable && r.NotChecked.Count > 0) || list.All(r => r.Verdict == Verdict.NotApplicable) ? RunOutcome.Incomplete
            : RunOutcome.Conformant;
    }

    /// <summary>A fail or an error always makes a run not conformant; a deviation only under fail-on deviation.</summary>
    public static bool FailsRun(Verdict verdict, string failOn) =>
        verdict is Verdict.Fail or Verdict.Error || (verdict == Verdict.Deviation && failOn == "deviation");

    /// <summary>Whether the run regressed against its baseline: a requirement fails now that did not before.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Regressed => Requirements.Any(r => r.Change == Running.Change.NewFail);
}

/// <summary>What a run says of its target as a whole.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<RunOutcome>))]
public enum RunOutcome
{
    /// <summary>Every selected requirement was checked in full, and none fails.</summary>
    Conformant,

    /// <summary>A requirement fails (or deviates, under fail-on deviation), or the suite could not judge one (error).</summary>
    NotConformant,

    /// <summary>Nothing fails, but some requirement was not fully checked: a limit of the suite, or a missing setting.</summary>
    Incomplete,
}

/// <summary>A case not checked in full: why, and the profile setting that would let it be.</summary>
public sealed record NotCheckedCase(string Element, string Reason, string? Setting = null, bool Partial = false);

public sealed record ToolInfo(string Name, string Version)
{
    /// <summary>The engine's version (major.minor.patch).</summary>
    public static string AssemblyVersion => typeof(ToolInfo).Assembly.GetName().Version?.ToString(3) ?? "0";

    /// <summary>The source revision the engine was built from (the "+sha" the SDK appends to the informational version), when recorded.</summary>
    public static string? BuildRevision
    {
        get
        {
            var version = typeof(ToolInfo).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "";
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? null : version[(plus + 1)..][..Math.Min(12, version.Length - plus - 1)];
        }
    }

    /// <summary>The tool's source revision, when the run knows it (git HEAD of the repository).</summary>
    public string? Revision { get; init; }

    /// <summary>The .NET runtime and the operating system the run ran on.</summary>
    public string? Runtime { get; init; }
}

public sealed record TargetInfo(string Name, string Description, bool Embedded, IReadOnlyDictionary<string, string> BaseUrls, IReadOnlyList<string> Faults)
{
    /// <summary>TLS certificate validation was off for this run.</summary>
    public bool InsecureTls { get; init; }

    /// <summary>The rate limit the run kept to, if any.</summary>
    public double? RequestsPerMinute { get; init; }
}

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

    /// <summary>The rule itself is an assumption (not only its details).</summary>
    public bool SourceIsAssumption { get; init; }

    public required Verdict Verdict { get; init; }

    public string? Waived { get; init; }

    /// <summary>Against a baseline run: new fail, still failing, fixed, or unchanged; null without a baseline.</summary>
    public Change? Change { get; init; }

    /// <summary>The requirement's verdict in the baseline run; null when it was not in it.</summary>
    public Verdict? BaselineVerdict { get; init; }

    /// <summary>Why the requirement does not apply (the target profile's word, or the catalogue's waiver).</summary>
    public string? NotApplicable { get; init; }

    public double DurationMs { get; init; }

    public IReadOnlyList<CaseOutcome> Cases { get; init; } = [];

    /// <summary>The cases not checked in full: skipped ones with their reason, and passes that checked only in part.</summary>
    public IReadOnlyList<NotCheckedCase> NotChecked =>
        [.. Cases.Where(c => c.NotFullyChecked).Select(c => new NotCheckedCase(c.Element,
            c.Partial ?? TextReports.Detail(c), c.Setting, c.Partial is not null))];

    /// <summary>Fail outranks error, which outranks deviation, then skipped, then pass; not applicable only when every case is.</summary>
    public static Verdict Worst(IEnumerable<Verdict> verdicts) =>
        verdicts.DefaultIfEmpty(Verdict.Skipped).MaxBy(v => v switch
        {
            Verdict.Fail => 5,
            Verdict.Error => 4,
            Verdict.Deviation => 3,
            Verdict.Skipped => 2,
            Verdict.Pass => 1,
            _ => 0,
        });
}
