using ConformanceSuite.Checks;

namespace ConformanceSuite.Engine;

/// <summary>Which verdicts make a run not conformant, besides fail and error (which always do).</summary>
public enum FailOn
{
    /// <summary>Only fail and error.</summary>
    Fail,

    /// <summary>Deviations too.</summary>
    Deviation,

    /// <summary>Only regressions against the baseline (a CI gate): a requirement failing now that did not in the baseline run.</summary>
    New,
}

/// <summary>
/// Everything one certification run is asked to do. The engine reads no environment variable: front ends
/// fill these settings from their options, their environment, or both.
/// </summary>
public sealed record RunSettings
{
    /// <summary>The target profile: a name under the contracts' <c>targets/</c> or a file path. Ignored when <see cref="AdHoc"/> is set.</summary>
    public string Target { get; init; } = Targets.TargetProfiles.EmbeddedName;

    /// <summary>An ad-hoc target for one API, instead of a profile.</summary>
    public AdHocTarget? AdHoc { get; init; }

    /// <summary>The APIs to certify; empty means every API of the contracts.</summary>
    public IReadOnlyList<string> Apis { get; init; } = [];

    /// <summary>Requirement ids or categories (<c>csv</c>, <c>pact</c>, <c>PACT wavy-open-sessions</c>); empty means all.</summary>
    public IReadOnlyList<string> Filter { get; init; } = [];

    public FailOn FailOn { get; init; } = FailOn.Fail;

    /// <summary>An earlier run's results.json: every report then marks each requirement as new fail, fixed, still failing or unchanged.</summary>
    public string? Baseline { get; init; }

    /// <summary>Fault modes of the embedded mock to switch on (embedded target only).</summary>
    public IReadOnlyList<string> Faults { get; init; } = [];

    /// <summary>
    /// Embedded mock only: each list API serves a generated, deterministic data set of this many items, made from
    /// its fixture's (at least the fixture's count; the CSV-link API ignores it). Null serves the fixtures as they are.
    /// </summary>
    public int? Scale { get; init; }

    /// <summary>Where every report is written; created if missing, earlier reports in it replaced. Null: <c>artifacts/&lt;time&gt;-&lt;target&gt;</c> under the current directory.</summary>
    public string? ReportDirectory { get; init; }

    /// <summary>The per-request limit; null keeps the profile's (30 s for an ad-hoc target).</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>
    /// The longest wait for the next bytes of a body before the request counts as stalled; null keeps the profile's (half
    /// the request limit by default). It never goes past the request limit.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>The longest a contract's pattern may take on one value; null keeps the profile's (1 s by default).</summary>
    public TimeSpan? PatternTimeout { get; init; }

    /// <summary>The whole run's limit; null keeps the profile's (30 minutes for an ad-hoc target).</summary>
    public TimeSpan? RunTimeout { get; init; }

    /// <summary>
    /// A front end's interrupt (Ctrl+C): once cancelled, the run ends as at its time limit. The case running and those not
    /// reached end in error, saying the run was interrupted, and every report is still written.
    /// </summary>
    public CancellationToken Interrupt { get; init; }

    /// <summary>The contract data (<c>schemas/</c>, <c>fixtures/</c>, <c>targets/</c>, <c>pacts/</c>); null finds it (see <see cref="RepositoryLayout.Discover"/>).</summary>
    public string? ContractsDirectory { get; init; }

    /// <summary>TLS certificate validation off, whatever the profile says. Every report says so.</summary>
    public bool InsecureTls { get; init; }

    /// <summary>A provider's links may lead anywhere, whatever the profile says (see <c>allowPrivateAddresses</c>).</summary>
    public bool AllowPrivateAddresses { get; init; }

    /// <summary>Looks up the variables a profile references (<c>{"env": "NAME"}</c>); the CLI passes the process environment.</summary>
    public Func<string, string?> Variables { get; init; } = _ => null;

    /// <summary>The check kinds; null for the built-in ones. (The pact verification kind is always added.)</summary>
    public CheckRegistry? Checks { get; init; }

    /// <summary>The Pact core library to load; null finds it (shipped with the program, or in a checkout).</summary>
    public string? PactLibrary { get; init; }

    /// <summary>How long a stalling fault of the embedded mock holds a response (tests shorten it).</summary>
    public TimeSpan? MockStall { get; init; }

    internal string FailOnText => FailOn switch { FailOn.Deviation => "deviation", FailOn.New => "new", _ => "fail" };
}

/// <summary>An ad-hoc target: one API at a base URL, with its credentials and test data given directly.</summary>
/// <param name="BaseUrl">The API's base URL (it may carry a path prefix).</param>
/// <param name="Credentials">Credential values by the contract's credential names.</param>
/// <param name="TestData">Test-data values by the contract's slot names.</param>
public sealed record AdHocTarget(string BaseUrl, IReadOnlyDictionary<string, string> Credentials, IReadOnlyDictionary<string, string> TestData)
{
    public const string CredentialPrefix = "CONFORMANCE_CREDENTIAL_";
    public const string DataPrefix = "CONFORMANCE_DATA_";

    /// <summary>How a front end tells its user to give a missing credential; <c>{0}</c> is the credential's name.</summary>
    public string CredentialHint { get; init; } = "";

    /// <summary>
    /// An ad-hoc target whose credentials and test data are variables named <c>CONFORMANCE_CREDENTIAL_&lt;name&gt;</c>
    /// and <c>CONFORMANCE_DATA_&lt;slot&gt;</c>, from the variables a front end passes (it reads them; this does not).
    /// </summary>
    public static AdHocTarget FromVariables(string baseUrl, IReadOnlyDictionary<string, string> variables) =>
        new(baseUrl, Prefixed(variables, CredentialPrefix), Prefixed(variables, DataPrefix))
        {
            CredentialHint = $"set the environment variable {CredentialPrefix}{{0}}",
        };

    private static Dictionary<string, string> Prefixed(IReadOnlyDictionary<string, string> variables, string prefix) =>
        variables.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && kv.Value.Length > 0)
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
}
