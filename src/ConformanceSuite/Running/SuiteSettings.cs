using ConformanceSuite.Targets;

namespace ConformanceSuite.Running;

/// <summary>
/// What a conformance run is asked to do, read from environment variables so that the NUnit suite runs
/// unchanged under <c>dotnet test</c>, under the CLI, or in CI:
/// <c>CONFORMANCE_TARGET</c> (profile path or name; default <c>embedded</c>), <c>CONFORMANCE_API</c>,
/// <c>CONFORMANCE_FILTER</c>, <c>CONFORMANCE_REPORT_DIR</c>, <c>CONFORMANCE_FAIL_ON</c>,
/// <c>CONFORMANCE_FAULTS</c> (embedded mock only) and <c>CONFORMANCE_BASE_URL</c> (ad-hoc target).
/// </summary>
public sealed record SuiteSettings
{
    public required RepositoryLayout Layout { get; init; }

    /// <summary>The target profile; null when the target comes from CONFORMANCE_BASE_URL.</summary>
    public TargetProfiles.Profile? Profile { get; init; }

    public IReadOnlyList<string> Apis { get; init; } = [];

    public IReadOnlyList<string> Filter { get; init; } = [];

    public required string ReportDir { get; init; }

    public string FailOn { get; init; } = "fail";

    public IReadOnlyList<string> Faults { get; init; } = [];

    /// <summary>TLS validation off for this run (<c>--insecure</c>, <c>CONFORMANCE_INSECURE_TLS=true</c> or the profile).</summary>
    public bool InsecureTls { get; init; }

    public bool AdHoc => Profile is null;

    public static SuiteSettings FromEnvironment(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var layout = RepositoryLayout.Discover();
        var failOn = (env("CONFORMANCE_FAIL_ON") ?? "fail").Trim().ToLowerInvariant();
        if (failOn is not ("fail" or "deviation"))
        {
            throw new ConfigurationException($"CONFORMANCE_FAIL_ON='{failOn}': expected 'fail' or 'deviation'");
        }

        var adHoc = !string.IsNullOrWhiteSpace(env("CONFORMANCE_BASE_URL"));
        var apis = List(env("CONFORMANCE_API"));
        if (adHoc && apis.Count != 1)
        {
            throw new ConfigurationException("CONFORMANCE_BASE_URL targets one API: set CONFORMANCE_API to its id");
        }

        var profile = adHoc ? null : TargetProfiles.Read(layout, env("CONFORMANCE_TARGET") is { Length: > 0 } t ? t : TargetProfiles.EmbeddedName);
        var insecure = env("CONFORMANCE_INSECURE_TLS") == "true";
        if (insecure && profile is not null)
        {
            profile = profile with { Http = profile.Http with { InsecureTls = true } };
        }
        var faults = List(env("CONFORMANCE_FAULTS"));
        if (faults.Count > 0 && profile is not { Embedded: true })
        {
            throw new ConfigurationException("CONFORMANCE_FAULTS switches on faults of the embedded mock; the target is not the embedded mock");
        }

        return new SuiteSettings
        {
            Layout = layout,
            Profile = profile,
            Apis = apis,
            Filter = List(env("CONFORMANCE_FILTER")),
            ReportDir = env("CONFORMANCE_REPORT_DIR") is { Length: > 0 } dir ? Path.GetFullPath(dir) : Path.Combine(layout.Root, "artifacts", "latest"),
            FailOn = failOn,
            Faults = faults,
            InsecureTls = insecure || profile?.Http.InsecureTls == true,
        };
    }

    /// <summary>The cases of this run (contract overlays from the profile applied).</summary>
    public CaseCatalog Catalog()
    {
        var overlays = Profile is null
            ? null
            : TargetProfiles.Overrides(Profile).Where(kv => kv.Value is not null).ToDictionary(
                kv => kv.Key,
                kv => new ApiTarget { ApiId = kv.Key, BaseUrl = new Uri("http://overlay.invalid"), Overrides = kv.Value });
        return CaseCatalog.Build(Layout, Apis, Filter, overlays);
    }

    private static List<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
