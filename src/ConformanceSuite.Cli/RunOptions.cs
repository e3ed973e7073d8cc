using System.CommandLine;
using System.Globalization;
using ConformanceSuite.Engine;

namespace ConformanceSuite.Cli;

/// <summary>
/// The options of a certification run, shared by the main job and <c>conformance certify</c>, and how they
/// become the engine's <see cref="RunSettings"/>. Each command takes its own instance.
/// </summary>
internal sealed class RunOptions
{
    public RunOptions()
    {
        FailOn.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } value && value is not ("fail" or "deviation" or "new"))
            {
                r.AddError($"--fail-on '{value}': expected fail, deviation or new");
            }
        });
    }

    public Option<string> Target { get; } = new("--target") { Description = "target profile: a name under targets/ or a path (default: embedded)", DefaultValueFactory = _ => "embedded" };

    public Option<string?> Api { get; } = Ids("--api", "API id(s), comma-separated (default: all)");

    public Option<string?> Filter { get; } = Ids("--filter", "requirement ids or categories (csv, pact, ...), comma-separated");

    public Option<string?> ReportDir { get; } = new("--report-dir") { Description = "where results go (default: artifacts/<time>-<target> under the current directory)" };

    public Option<string> FailOn { get; } = new("--fail-on")
    {
        Description = "what makes the run fail: fail (fails and errors), deviation (deviations too), or new (only regressions against --baseline)",
        DefaultValueFactory = _ => "fail",
    };

    public Option<string?> Baseline { get; } = new("--baseline") { Description = "an earlier run's results.json: every report marks each requirement as new fail, fixed, still failing or unchanged" };

    public Option<string?> Fault { get; } = Ids("--fault", "embedded mock only: fault mode(s) to switch on, comma-separated");

    public Option<int?> Scale { get; } = new("--scale")
    {
        Description = "embedded mock only: each list API (the cursor-list and offset-list mocks) serves N items, its fixture's and deterministic copies of them (N at least the fixture's count); the CSV-link mock ignores it",
        HelpName = "N",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var items) && items >= 1)
            {
                return items;
            }

            r.AddError($"--scale '{text}': expected a number of items, a whole number of at least 1");
            return null;
        },
    };

    public Option<string?> BaseUrl { get; } = new("--base-url")
    {
        Description = $"ad-hoc target for one --api; credentials from {AdHocTarget.CredentialPrefix}<name>, test data from {AdHocTarget.DataPrefix}<slot>",
        // An empty value (a script's unset variable) is a usage error: taken for no option, the run went to the target
        // profile's default, the embedded mock, and passed a provider it never reached.
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (text.Length == 0)
            {
                r.AddError("--base-url '': names no URL; give the provider's base URL (leave the option out for the target profile's)");
            }

            return text;
        },
    };

    public Option<bool> Insecure { get; } = new("--insecure") { Description = "turn TLS certificate validation off (self-signed test endpoints); every report says so" };

    public Option<bool> AllowPrivateAddresses { get; } = new("--allow-private-addresses") { Description = "follow a provider's links (a download link) to loopback, private and link-local addresses even when none of the target's own hosts is on one" };

    public Option<string?> Contracts { get; } = new("--contracts") { Description = "the contract data to use (schemas/, fixtures/, targets/, pacts/); default: the copy shipped with the tool" };

    public Option<TimeSpan?> RequestTimeout { get; } = Seconds("--request-timeout", "seconds a request may take (headers and body), overriding the profile's", TimeoutSetting.MaxRequestSeconds);

    public Option<TimeSpan?> IdleTimeout { get; } = Seconds("--idle-timeout", "seconds to wait for the next bytes of a body before the request counts as stalled, overriding the profile's (default: half the request timeout; never more than it)", TimeoutSetting.MaxIdleSeconds);

    public Option<TimeSpan?> RunTimeout { get; } = Seconds("--run-timeout", "seconds the whole run may take, overriding the profile's", TimeoutSetting.MaxRunSeconds);

    public Option<TimeSpan?> PatternTimeout { get; } = Seconds("--pattern-timeout", "seconds a contract's pattern may take on one value before the value is left unjudged, overriding the profile's", TimeoutSetting.MaxPatternSeconds);

    public Option<bool> AcceptIncomplete { get; } = new("--accept-incomplete")
    {
        Description = "exit 0 for an incomplete run (nothing fails, something was not fully checked) instead of 4; the verdict still says INCOMPLETE",
    };

    /// <summary>Every option, in the order the help lists them.</summary>
    public IReadOnlyList<Option> All => [Target, Api, Filter, ReportDir, FailOn, Baseline, Fault, Scale, BaseUrl, Insecure, AllowPrivateAddresses, Contracts, RequestTimeout, IdleTimeout, RunTimeout, PatternTimeout, AcceptIncomplete];

    /// <summary>The run settings the parsed options ask for; the variables are what a profile and an ad-hoc target may read.</summary>
    public RunSettings Settings(ParseResult parse, IReadOnlyDictionary<string, string> variables, Checks.CheckRegistry? checks) => new()
    {
        Target = parse.GetValue(Target)!,
        AdHoc = parse.GetValue(BaseUrl) is { } url ? AdHocTarget.FromVariables(url, variables) : null,
        Apis = List(parse.GetValue(Api)),
        Filter = List(parse.GetValue(Filter)),
        FailOn = parse.GetValue(FailOn) switch { "deviation" => Engine.FailOn.Deviation, "new" => Engine.FailOn.New, _ => Engine.FailOn.Fail },
        Baseline = parse.GetValue(Baseline),
        Faults = List(parse.GetValue(Fault)),
        Scale = parse.GetValue(Scale),
        ReportDirectory = parse.GetValue(ReportDir),
        RequestTimeout = parse.GetValue(RequestTimeout),
        IdleTimeout = parse.GetValue(IdleTimeout),
        RunTimeout = parse.GetValue(RunTimeout),
        PatternTimeout = parse.GetValue(PatternTimeout),
        ContractsDirectory = parse.GetValue(Contracts),
        InsecureTls = parse.GetValue(Insecure),
        AllowPrivateAddresses = parse.GetValue(AllowPrivateAddresses),
        Variables = name => variables.GetValueOrDefault(name),
        Checks = checks,
    };

    /// <summary>An option taking a number of seconds above 0 and at most the profile's own bound; anything else is a usage error naming the option.</summary>
    private static Option<TimeSpan?> Seconds(string name, string description, double maximum) => new(name)
    {
        Description = $"{description} (at most {maximum.ToString(CultureInfo.InvariantCulture)})",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (TimeoutSetting.Parse(text, maximum, out var problem) is { } timeout)
            {
                return timeout;
            }

            r.AddError($"{name} '{text}': {problem}");
            return null;
        },
    };

    /// <summary>
    /// An option taking a comma-separated list; one that names nothing (<c>--api ","</c>) is a usage error, not "all",
    /// which is what leaving the option out means.
    /// </summary>
    private static Option<string?> Ids(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (List(text).Count == 0)
            {
                r.AddError($"{name} '{text}': names nothing; give one or more, comma-separated (leave the option out for all)");
            }

            return text;
        },
    };

    private static List<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
