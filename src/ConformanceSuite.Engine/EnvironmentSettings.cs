using System.Globalization;

namespace ConformanceSuite.Engine;

/// <summary>
/// The run's settings from environment variables, so <c>dotnet test</c> certifies any target:
/// <c>CONFORMANCE_TARGET</c> (a profile name or path; default <c>embedded</c>), <c>CONFORMANCE_API</c>,
/// <c>CONFORMANCE_FILTER</c>, <c>CONFORMANCE_REPORT_DIR</c> (default <c>artifacts/latest</c>),
/// <c>CONFORMANCE_FAIL_ON</c>, <c>CONFORMANCE_FAULTS</c>, <c>CONFORMANCE_INSECURE_TLS</c>, <c>CONFORMANCE_ALLOW_PRIVATE_ADDRESSES</c>,
/// <c>CONFORMANCE_CONTRACTS</c>, <c>CONFORMANCE_REQUEST_TIMEOUT</c> and <c>CONFORMANCE_RUN_TIMEOUT</c>
/// (seconds), <c>CONFORMANCE_SCALE</c> (the embedded mock's list APIs scaled to that many items), and for an ad-hoc target <c>CONFORMANCE_BASE_URL</c> with <c>CONFORMANCE_CREDENTIAL_&lt;name&gt;</c>
/// and <c>CONFORMANCE_DATA_&lt;slot&gt;</c>. Profiles reference other variables by name. The engine itself
/// reads no variable: a front end that wants these passes its environment here.
/// </summary>
public static class EnvironmentSettings
{
    /// <param name="variables">The front end's environment.</param>
    public static RunSettings Read(IReadOnlyDictionary<string, string> variables)
    {
        string? env(string name) => variables.GetValueOrDefault(name);
        var failOn = (env("CONFORMANCE_FAIL_ON") ?? "fail").Trim().ToLowerInvariant();
        if (failOn is not ("fail" or "deviation" or "new"))
        {
            throw new ConfigurationException($"CONFORMANCE_FAIL_ON='{failOn}': expected 'fail', 'deviation' or 'new'");
        }

        var contracts = env("CONFORMANCE_CONTRACTS") is { Length: > 0 } c ? c : null;
        return new RunSettings
        {
            Target = env("CONFORMANCE_TARGET") is { Length: > 0 } t ? t : Targets.TargetProfiles.EmbeddedName,
            AdHoc = env("CONFORMANCE_BASE_URL") is { Length: > 0 } url ? AdHocTarget.FromVariables(url, variables) : null,
            Apis = List(env("CONFORMANCE_API")),
            Filter = List(env("CONFORMANCE_FILTER")),
            FailOn = failOn switch { "deviation" => FailOn.Deviation, "new" => FailOn.New, _ => FailOn.Fail },
            Baseline = env("CONFORMANCE_BASELINE") is { Length: > 0 } baseline ? baseline : null,
            Faults = List(env("CONFORMANCE_FAULTS")),
            ReportDirectory = env("CONFORMANCE_REPORT_DIR") is { Length: > 0 } dir
                ? dir
                : Path.Combine(RepositoryLayout.Discover(contracts).Root, "artifacts", "latest"),
            ContractsDirectory = contracts,
            InsecureTls = env("CONFORMANCE_INSECURE_TLS") == "true",
            AllowPrivateAddresses = env("CONFORMANCE_ALLOW_PRIVATE_ADDRESSES") == "true",
            RequestTimeout = Seconds(variables, "CONFORMANCE_REQUEST_TIMEOUT", TimeoutSetting.MaxRequestSeconds),
            IdleTimeout = Seconds(variables, "CONFORMANCE_IDLE_TIMEOUT", TimeoutSetting.MaxIdleSeconds),
            RunTimeout = Seconds(variables, "CONFORMANCE_RUN_TIMEOUT", TimeoutSetting.MaxRunSeconds),
            PatternTimeout = Seconds(variables, "CONFORMANCE_PATTERN_TIMEOUT", TimeoutSetting.MaxPatternSeconds),
            Scale = env("CONFORMANCE_SCALE") is not { Length: > 0 } scale ? null
                : int.TryParse(scale, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
                : throw new ConfigurationException($"CONFORMANCE_SCALE='{scale}': expected a whole number of items above 0"),
            Variables = name => variables.GetValueOrDefault(name),
        };
    }

    private static TimeSpan? Seconds(IReadOnlyDictionary<string, string> variables, string name, double maximum) =>
        variables.GetValueOrDefault(name) is not { Length: > 0 } text ? null
        : TimeoutSetting.Parse(text, maximum, out var problem) ?? throw new ConfigurationException($"{name}='{text}': {problem}");

    private static List<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
