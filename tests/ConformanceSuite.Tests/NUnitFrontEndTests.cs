using System.Text.RegularExpressions;
using System.Xml.Linq;
using ConformanceSuite.Cli;
using ConformanceSuite.Testing;

namespace ConformanceSuite.Tests;

/// <summary>
/// The NUnit front end under one real <c>dotnet test</c>, set up once for three questions. The provider is the
/// mock as a separate process with faults in all three APIs, planted credentials it echoes back, and the pacts'
/// examples. The CLI certifies it in this process; the NUnit front end certifies it under <c>dotnet test</c> as
/// a CI gate (fail-on new) against a baseline in which one of today's failing requirements still passed.
/// <list type="bullet">
/// <item>The two front ends agree case by case, and the TRX says the same.</item>
/// <item>Under fail-on new, only the regression fails the TRX; what failed before is a warning.</item>
/// <item>No planted credential is in any artifact of either run (TRX and test log included), in any form.</item>
/// </list>
/// </summary>
[TestFixture]
[Order(3)] // long-running: started first so the short fixtures fill in around it
public sealed partial class NUnitFrontEndTests
{
    /// <summary>Faults in every API: fails, deviations, and a requirement (WAVY-005) the baseline has passing.</summary>
    private static readonly string[] Faults =
    [
        "customerId-not-required", "userName-wrong-accepted", "csv-header-translated",
        "auth-token-unchecked", "pagination-empty-page", "filter-ignored:status", "zip-wrong-name",
    ];

    private const string Regression = "WAVY-005";

    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    private string dir = "";
    private PlantedCredentials planted = null!;
    private int cliExit;
    private string cliConsole = "";
    private int testExit;
    private string testConsole = "";

    private string CliDir => Path.Combine(dir, "cli");

    private string NUnitDir => Path.Combine(dir, "nunit");

    [GeneratedRegex(@"127\.0\.0\.1:\d+")]
    private static partial Regex LoopbackPort();

    [OneTimeSetUp]
    public async Task RunBothFrontEnds()
    {
        dir = Path.Combine(Path.GetTempPath(), "cs-nunit-" + Guid.NewGuid().ToString("N"));
        planted = PlantedCredentials.Fresh();
        var (mock, variables) = await planted.StartEchoingMockAsync(Faults);
        using var _ = mock;

        using (var console = new StringWriter())
        {
            cliExit = await CliApp.RunAsync(["--target", "local-mock", "--report-dir", CliDir], console, console, CliTests.Context(variables));
            cliConsole = console.ToString();
        }

        // The baseline: this very run, except that the regression still passed then.
        var cli = RunResults.Read(Path.Combine(CliDir, "results.json"));
        var baseline = Path.Combine(dir, "baseline.json");
        (cli with { Requirements = [.. cli.Requirements.Select(r => r.Id == Regression ? r with { Verdict = Verdict.Pass } : r)] }).Write(baseline);

        var project = Path.Combine(Harness.Layout.Root, "tests", "ConformanceSuite.Conformance", "ConformanceSuite.Conformance.csproj");
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var environment = new Dictionary<string, string>(variables)
        {
            ["CONFORMANCE_TARGET"] = "local-mock", ["CONFORMANCE_REPORT_DIR"] = NUnitDir,
            ["CONFORMANCE_FAIL_ON"] = "new", ["CONFORMANCE_BASELINE"] = baseline,
        };
        var (exit, stdout, stderr) = await Task.Run(() => ProcessRun.Run("dotnet",
            ["test", project, "--no-build", "-c", configuration, "--logger", "trx;LogFileName=conformance.trx", "--logger", "console;verbosity=detailed", "--results-directory", NUnitDir],
            TimeSpan.FromMinutes(5), environment));
        testExit = exit;
        testConsole = stdout + stderr;
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void The_nunit_front_end_and_the_cli_agree_case_by_case()
    {
        cliExit.Should().Be(ExitCodes.NotConformant, cliConsole);
        var fromNunit = Cases(Path.Combine(NUnitDir, "results.json"));
        var fromCli = Cases(Path.Combine(CliDir, "results.json"));
        fromNunit.Should().HaveCount(fromCli.Count).And.HaveCountGreaterThan(100);
        fromNunit.Zip(fromCli).Where(p => p.First != p.Second).Select(p => $"NUnit {p.First} / CLI {p.Second}")
            .Should().BeEmpty("both front ends run the same engine on the same target");
        fromCli.Select(c => c.Verdict).Distinct().Should().Contain([Verdict.Pass, Verdict.Fail, Verdict.Deviation], "the comparison covers several verdicts");

        // The TRX says the same, case by case. Under fail-on new, a deviation, and a fail the baseline had too,
        // is a warning (TRX: Passed); only a new fail fails.
        var trx = TrxOutcomes();
        var results = RunResults.Read(Path.Combine(NUnitDir, "results.json"));
        foreach (var r in results.Requirements)
        {
            foreach (var c in r.Cases)
            {
                trx.Should().ContainKey($"{r.Id} [{c.Element}] {r.Title}").WhoseValue.Should().Be(c.Verdict switch
                {
                    Verdict.Skipped or Verdict.NotApplicable => "NotExecuted",
                    Verdict.Fail or Verdict.Error when r.Change == Change.NewFail => "Failed",
                    _ => "Passed",
                }, $"{r.Id} [{c.Element}] is {c.Verdict} ({r.Change})");
            }
        }
    }

    [Test]
    public void Under_fail_on_new_only_the_regression_fails()
    {
        testExit.Should().NotBe(0, $"{Regression} is a regression: {testConsole}");
        var failed = TrxOutcomes().Where(t => t.Value == "Failed").Select(t => t.Key).ToList();
        failed.Should().NotBeEmpty().And.OnlyContain(name => name.StartsWith(Regression + " ", StringComparison.Ordinal), "every other fail was in the baseline too");

        var requirements = RunResults.Read(Path.Combine(NUnitDir, "results.json")).Requirements;
        requirements.Single(r => r.Id == Regression).Change.Should().Be(Change.NewFail);
        requirements.Where(r => r.Verdict == Verdict.Fail && r.Id != Regression).Should().HaveCountGreaterThan(3)
            .And.OnlyContain(r => r.Change == Change.StillFailing);
    }

    [Test]
    public void No_planted_credential_appears_in_any_artifact_of_either_front_end()
    {
        var artifacts = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToList();
        foreach (var folder in new[] { CliDir, NUnitDir })
        {
            Directory.EnumerateFiles(folder).Select(Path.GetFileName).Should().Contain(RunResults.ReportFiles);
        }

        artifacts.Should().Contain(f => f.EndsWith(".trx", StringComparison.Ordinal));
        File.ReadAllText(Path.Combine(NUnitDir, "requests.jsonl")).Should().Contain("[redacted]", "the echoed credentials were seen and redacted");
        planted.ShouldBeIn(none: artifacts.Select(f => (Path.GetRelativePath(dir, f), File.ReadAllText(f)))
            .Append(("CLI console", cliConsole))
            .Append(("dotnet test console", testConsole)));
    }

    private Dictionary<string, string> TrxOutcomes() =>
        XDocument.Load(Path.Combine(NUnitDir, "conformance.trx")).Descendants(Trx + "UnitTestResult")
            .ToDictionary(r => r.Attribute("testName")!.Value, r => r.Attribute("outcome")!.Value);

    private static List<(string Key, Verdict Verdict, string Findings)> Cases(string results) =>
        RunResults.Read(results).Requirements.SelectMany(r => r.Cases)
            .Select(c => (c.Key, c.Verdict, LoopbackPort().Replace(string.Join(" | ", c.Findings.Select(f => f.Message)), "127.0.0.1:PORT")))
            .ToList();
}
