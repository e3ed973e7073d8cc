using System.Xml.Linq;
using ConformanceSuite.Cli;

namespace ConformanceSuite.Tests;

/// <summary>
/// A CI gate against a baseline: --baseline marks each requirement as new fail, fixed, still failing or
/// unchanged in every report; --fail-on new fails only on a regression, and a change that makes the suite
/// check less than the baseline did is incomplete, not a pass.
/// </summary>
[TestFixture]
public sealed class BaselineTests
{
    private const string Api = "wavy-open-sessions";
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-baseline-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    private static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunWithAsync(CliTests.Context(null), args);

    private static async Task<(int Exit, string Out, string Err)> RunWithAsync(CliContext context, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, context);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A run of the wavy API with the given faults into a folder of its own; its results.json.</summary>
    private async Task<(int Exit, string Out, string Folder)> RunWavyAsync(string name, string? faults, params string[] more)
    {
        var folder = Path.Combine(dir, name);
        string[] args = ["--api", Api, "--report-dir", folder, .. faults is null ? Array.Empty<string>() : ["--fault", faults], .. more];
        var (exit, output, err) = await RunAsync(args);
        err.Should().BeEmpty();
        return (exit, output, folder);
    }

    private static string Results(string folder) => Path.Combine(folder, "results.json");

    private static RequirementResult Requirement(RunResults results, string id) => results.Requirements.Single(r => r.Id == id);

    [Test]
    public async Task Every_report_marks_new_fails_still_failing_and_fixed_against_the_baseline()
    {
        // Baseline: WAVY-001 and WAVY-004 fail. Now: WAVY-001 still fails, WAVY-004 is fixed, WAVY-005 newly fails.
        var (_, _, before) = await RunWavyAsync("before", "customerId-not-required,authenticationToken-not-required");
        var (exit, output, now) = await RunWavyAsync("now", "customerId-not-required,userName-wrong-accepted", "--baseline", Results(before));

        exit.Should().Be(ExitCodes.NotConformant, "under the default fail-on every fail fails the run, baseline or not");
        var json = RunResults.Read(Results(now));
        Requirement(json, "WAVY-001").Change.Should().Be(Change.StillFailing);
        Requirement(json, "PACT wavy-open-sessions").Change.Should().Be(Change.StillFailing, "the pact's request without customerId fails before and now");
        Requirement(json, "WAVY-004").Change.Should().Be(Change.Fixed);
        Requirement(json, "WAVY-004").BaselineVerdict.Should().Be(Verdict.Fail);
        Requirement(json, "WAVY-005").Change.Should().Be(Change.NewFail);
        Requirement(json, "WAVY-005").BaselineVerdict.Should().Be(Verdict.Pass);
        json.Requirements.Where(r => r.Id is not ("WAVY-001" or "WAVY-004" or "WAVY-005" or "PACT wavy-open-sessions"))
            .Should().OnlyContain(r => r.Change == Change.Unchanged);
        json.Baseline!.Changes.Should().Contain(new Dictionary<string, int> { ["new-fail"] = 1, ["fixed"] = 1, ["still-failing"] = 2 });
        json.Baseline.File.Should().Be(Path.GetFullPath(Results(before)));

        output.Should().Contain("1 new fail, 1 fixed, 2 still failing")
            .And.Contain("WAVY-005  Each credential is verified: a request with a wrong value gets 401  [NEW FAIL, was PASS]")
            .And.Contain("[fixed, was FAIL]").And.Contain("[still failing, was FAIL]");
        var md = File.ReadAllText(Path.Combine(now, "report.md"));
        md.Should().Contain("**1 new fail, 1 fixed, 2 still failing**")
            .And.Contain("🔴 new fail: **WAVY-005**").And.Contain("🟢 fixed: **WAVY-004**")
            .And.Contain("| FAIL | still failing | wavy-open-sessions | **WAVY-001**")
            .And.Contain("| PASS | unchanged | wavy-open-sessions | **WAVY-002**");
        var html = File.ReadAllText(Path.Combine(now, "report.html"));
        html.Should().Contain("id=\"baseline\"")
            .And.Contain("<span class=\"change new-fail\">NEW FAIL</span></td><td><b>WAVY-005</b>")
            .And.Contain("<span class=\"change fixed\">fixed</span></td><td><b>WAVY-004</b>")
            .And.Contain("<span class=\"change still-failing\">still failing</span></td><td><b>WAVY-001</b>");
        var junit = XDocument.Load(Path.Combine(now, "junit.xml"));
        junit.Descendants("property").Should().Contain(p => (string?)p.Attribute("name") == "baseline"
                                                            && ((string?)p.Attribute("value") ?? "").Contains("1 new fail, 1 fixed, 2 still failing"));
    }

    [Test]
    public async Task Fail_on_new_passes_known_failures_and_fails_a_regression()
    {
        var (_, _, before) = await RunWavyAsync("before", "customerId-not-required");

        var (known, knownOut, knownDir) = await RunWavyAsync("known", "customerId-not-required", "--baseline", Results(before), "--fail-on", "new");
        known.Should().Be(ExitCodes.Conformant, "WAVY-001 failed in the baseline too");
        knownOut.Should().Contain("NOT CONFORMANT", "the verdict on the provider stays honest; only the gate passes")
            .And.Contain("no regression: the gate passes");
        XDocument.Load(Path.Combine(knownDir, "junit.xml")).Descendants("failure").Should().BeEmpty("a known failure does not fail the gate's JUnit");

        var (regressed, regressedOut, regressedDir) = await RunWavyAsync("regressed", "customerId-not-required,userName-wrong-accepted", "--baseline", Results(before), "--fail-on", "new");
        regressed.Should().Be(ExitCodes.NotConformant);
        regressedOut.Should().Contain("a regression: the gate fails");
        var failures = XDocument.Load(Path.Combine(regressedDir, "junit.xml")).Descendants("failure").ToList();
        failures.Should().NotBeEmpty().And.OnlyContain(f => ((string?)f.Parent!.Attribute("name") ?? "").StartsWith("WAVY-005", StringComparison.Ordinal),
            "only the regression fails in JUnit");
    }

    [Test]
    public async Task A_known_failure_the_gate_passes_keeps_its_finding_in_junit_not_a_bare_pass()
    {
        // Under fail-on new, a case failing in the baseline too is no JUnit failure. Before, it was written as a bare
        // passing testcase: a CI test view showed WAVY-001 green, and its finding appeared nowhere in junit.xml.
        var (_, _, before) = await RunWavyAsync("before", "customerId-not-required");

        var (_, _, knownDir) = await RunWavyAsync("known", "customerId-not-required", "--baseline", Results(before), "--fail-on", "new");

        var json = RunResults.Read(Results(knownDir));
        var failed = json.Requirements.Single(r => r.Id == "WAVY-001").Cases.Where(c => c.Verdict == Verdict.Fail).ToList();
        failed.Should().NotBeEmpty();
        var junit = XDocument.Load(Path.Combine(knownDir, "junit.xml"));
        foreach (var c in failed)
        {
            var testcase = junit.Descendants("testcase").Single(t => ((string?)t.Attribute("name") ?? "").StartsWith($"WAVY-001 [{c.Element}]", StringComparison.Ordinal));
            testcase.Element("failure").Should().BeNull("a known failure does not fail the gate's JUnit");
            var said = (string?)testcase.Element("system-out") ?? "";
            said.Should().Contain("FAIL").And.Contain("still failing").And.Contain(c.Findings[0].Message);
        }
    }

    [Test]
    public async Task A_baseline_in_the_run_s_own_report_folder_is_compared_not_lost()
    {
        // A gate re-run into the folder its baseline was downloaded to. Before, the run cleared the folder's reports at its
        // start, the baseline with them, ran every case, and then read the baseline again: "cannot read the results file
        // …/results.json: Could not find file", exit 2, no report of the run written.
        var (_, _, folder) = await RunWavyAsync("same", "customerId-not-required");

        var (exit, output, _) = await RunWavyAsync("same", "customerId-not-required", "--baseline", Results(folder), "--fail-on", "new");

        exit.Should().Be(ExitCodes.Conformant, output);
        var json = RunResults.Read(Results(folder));
        json.Baseline.Should().NotBeNull();
        json.Baseline!.Changes.GetValueOrDefault("new-fail").Should().Be(0);
        json.Baseline.Changes.GetValueOrDefault("still-failing").Should().BePositive("WAVY-001 failed in the baseline too");
    }

    [Test]
    public async Task A_known_error_the_gate_passes_is_no_junit_error_but_keeps_its_message()
    {
        // Under fail-on new, a case in error in the baseline too does not fail the gate (exit 0). Before, junit.xml still
        // held its <error>, so a CI JUnit reader failed the step the exit code had passed.
        var throwing = CliTests.Context() with { Checks = EngineTests.Throwing(CsvHeaderCheck.KindName) };
        string[] wavy011 = ["--api", Api, "--filter", "WAVY-011"];
        var (_, _, errBefore) = await RunWithAsync(throwing, [.. wavy011, "--report-dir", Path.Combine(dir, "before")]);
        errBefore.Should().BeEmpty();

        var known = Path.Combine(dir, "known");
        var (exit, output, err) = await RunWithAsync(throwing, [.. wavy011, "--report-dir", known, "--baseline", Results(Path.Combine(dir, "before")), "--fail-on", "new"]);

        exit.Should().Be(ExitCodes.Conformant, err + output);
        var errored = RunResults.Read(Results(known)).Requirements.Single(r => r.Id == "WAVY-011").Cases.Where(c => c.Verdict == Verdict.Error).ToList();
        errored.Should().NotBeEmpty();
        var junit = XDocument.Load(Path.Combine(known, "junit.xml"));
        junit.Descendants("error").Should().BeEmpty("a known error does not fail the gate's JUnit, as the exit code does not");
        junit.Root!.Attribute("errors")!.Value.Should().Be("0");
        junit.Descendants("testsuite").Should().OnlyContain(t => (string?)t.Attribute("errors") == "0");
        foreach (var c in errored)
        {
            var testcase = junit.Descendants("testcase").Single(t => ((string?)t.Attribute("name") ?? "").StartsWith($"WAVY-011 [{c.Element}]", StringComparison.Ordinal));
            ((string?)testcase.Element("system-out") ?? "").Should().Contain("ERROR").And.Contain("still failing").And.Contain("InvalidOperationException: planted failure");
        }

        // A new error (not in error in the baseline) is still the gate's error.
        var (_, _, errClean) = await RunAsync([.. wavy011, "--report-dir", Path.Combine(dir, "clean")]);
        errClean.Should().BeEmpty();
        var regressed = Path.Combine(dir, "regressed");
        var (newExit, _, _) = await RunWithAsync(throwing, [.. wavy011, "--report-dir", regressed, "--baseline", Results(Path.Combine(dir, "clean")), "--fail-on", "new"]);
        newExit.Should().Be(ExitCodes.NotConformant);
        XDocument.Load(Path.Combine(regressed, "junit.xml")).Descendants("error").Should().HaveCount(errored.Count);
    }

    [Test]
    public async Task A_requirement_not_in_the_baseline_that_fails_is_a_regression()
    {
        var (_, _, before) = await RunWavyAsync("before", null);
        var path = Results(before);
        var baseline = RunResults.Read(path);
        (baseline with { Requirements = [.. baseline.Requirements.Where(r => r.Id != "WAVY-005")] }).Write(path);

        var (exit, _, now) = await RunWavyAsync("now", "userName-wrong-accepted", "--baseline", path, "--fail-on", "new");

        exit.Should().Be(ExitCodes.NotConformant);
        var marked = Requirement(RunResults.Read(Results(now)), "WAVY-005");
        marked.Change.Should().Be(Change.NewFail);
        marked.BaselineVerdict.Should().BeNull();
        File.ReadAllText(Path.Combine(now, "report.md")).Should().Contain("(not in the baseline → FAIL)");
    }

    [Test]
    public async Task Checking_less_than_the_baseline_is_incomplete_under_fail_on_new()
    {
        // Baseline: WAVY-003 fails, all else checked. Now WAVY-003 still fails, and WAVY-011 and WAVY-012 can no longer be checked (on the sub-account).
        // Both runs keep to these three: the refused sub-account without sessions would also be a new fail of WAVY-006, a regression, not less checked.
        string[] scope = ["--filter", "WAVY-003,WAVY-011,WAVY-012"];
        var (_, _, before) = await RunWavyAsync("before", "subAccountId-ignored", scope);

        var (exit, output, now) = await RunWavyAsync("now", "subAccountId-rejected", [.. scope, "--baseline", Results(before), "--fail-on", "new"]);

        exit.Should().Be(ExitCodes.Incomplete, "a change must not pass the gate by making the suite check less");
        output.Should().Contain("checked less than in the baseline (wavy-open-sessions/WAVY-011, wavy-open-sessions/WAVY-012)").And.Contain("the gate says incomplete");
        RunResults.Read(Results(now)).Baseline!.LessChecked.Should().Equal("wavy-open-sessions/WAVY-011", "wavy-open-sessions/WAVY-012");

        var (accepted, _, _) = await RunWavyAsync("accepted", "subAccountId-rejected", [.. scope, "--baseline", Results(before), "--fail-on", "new", "--accept-incomplete"]);
        accepted.Should().Be(ExitCodes.Conformant);
    }

    [Test]
    public void Compare_marks_only_failing_verdicts_and_counts_less_checked_only_when_the_baseline_checked_in_full()
    {
        RequirementResult R(string id, Verdict v, params CaseOutcome[] cases) => new()
        {
            Api = "a", Id = id, Title = id, Level = "MUST", Category = "c", Source = "s", RestsOnAssumption = false, Verdict = v, Cases = cases,
        };
        CaseOutcome C(Verdict v, string? partial = null) => new()
        {
            Key = Guid.NewGuid().ToString("N"), Api = "a", RequirementId = "x", Element = "e", Verdict = v, Message = "m", Partial = partial,
        };
        RunResults Run(params RequirementResult[] rs) => new()
        {
            Target = new TargetInfo("t", "d", true, new Dictionary<string, string>(), []), FailOn = "new",
            Tool = new ToolInfo("conformance", "1"), Requirements = rs, StartedAt = DateTimeOffset.UnixEpoch, FinishedAt = DateTimeOffset.UnixEpoch,
            RequestCount = 0, Conformant = false, Counts = new Dictionary<string, int>(), Apis = [],
        };

        var baseline = Run(
            R("deviates", Verdict.Deviation, C(Verdict.Deviation)),
            R("errored", Verdict.Error, C(Verdict.Error)),
            R("skipped-before", Verdict.Skipped, C(Verdict.Skipped)),
            R("partial-before", Verdict.Pass, C(Verdict.Pass, "half")),
            R("full-before", Verdict.Pass, C(Verdict.Pass)),
            R("na", Verdict.NotApplicable, C(Verdict.NotApplicable)));
        var now = Run(
            R("deviates", Verdict.Fail, C(Verdict.Fail)),
            R("errored", Verdict.Pass, C(Verdict.Pass)),
            R("skipped-before", Verdict.Skipped, C(Verdict.Skipped)),
            R("partial-before", Verdict.Pass, C(Verdict.Pass, "half")),
            R("full-before", Verdict.Pass, C(Verdict.Pass, "a quarter")),
            R("na", Verdict.Error, C(Verdict.Error)));

        var compared = Baseline.Compare(now, baseline, "b.json");

        compared.Requirements.Select(r => (r.Id, r.Change)).Should().Equal(
            ("deviates", Change.NewFail), ("errored", Change.Fixed), ("skipped-before", Change.Unchanged),
            ("partial-before", Change.Unchanged), ("full-before", Change.Unchanged), ("na", Change.NewFail));
        compared.Baseline!.LessChecked.Should().Equal("a/full-before");
        compared.Regressed.Should().BeTrue();
        compared.Outcome.Should().Be(RunOutcome.NotConformant);
        Baseline.Compare(Run(R("errored", Verdict.Pass, C(Verdict.Pass))), baseline, "b.json").Regressed.Should().BeFalse();
    }

    [TestCase("--fail-on", "new", "fail-on new fails only on regressions against a baseline")]
    [TestCase("--baseline", "/nonexistent/results.json", "does not exist")]
    public async Task A_gate_without_a_usable_baseline_is_one_line_and_exit_2(string option, string value, string says)
    {
        var (exit, output, err) = await RunAsync("--api", Api, "--report-dir", dir, option, value);

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        err.Trim().Should().Contain(says).And.NotContain("\n").And.NotContain("   at ");
        output.Should().NotContain("requests");
    }

    [TestCase("/target/name", "null", "the target's name is null")]
    [TestCase("/requirements/0/id", "null", "requirement 0 has no api or id")]
    [TestCase("/requirements/0/api", "null", "requirement 0 has no api or id")]
    [TestCase("/requirements/0/verdict", "99", "requirement 0 has the verdict 99, which is none the tool writes")]
    public async Task A_baseline_missing_what_the_comparison_reads_stops_the_run_before_it_starts(string pointer, string value, string says)
    {
        // A results file of the tool's own, one member changed. Before, a baseline whose target has no name ran the
        // whole run and then failed writing the reports ("unexpected error (AggregateException; a defect of the tool …):
        // Object reference not set to an instance of an object", exit 2, no report); one of a requirement with no id or
        // api, or of a verdict the tool has none of (99: the enum reader takes numbers), was compared as if it were
        // a requirement and a verdict.
        var (_, _, folder) = await RunWavyAsync("base", null, "--filter", "WAVY-001");
        var node = JsonNode.Parse(await File.ReadAllTextAsync(Results(folder)))!;
        var tokens = pointer.Trim('/').Split('/');
        var parent = tokens[..^1].Aggregate(node, (n, t) => int.TryParse(t, out var i) ? n[i]! : n[t]!);
        parent[tokens[^1]] = JsonNode.Parse(value);
        var bad = Path.Combine(dir, "bad.json");
        await File.WriteAllTextAsync(bad, node.ToJsonString());

        var (exit, output, err) = await RunAsync("--api", Api, "--filter", "WAVY-001", "--report-dir", Path.Combine(dir, "out"), "--baseline", bad, "--fail-on", "new");

        exit.Should().Be(ExitCodes.UsageOrConfiguration, output);
        err.Trim().Should().Contain("bad.json").And.Contain("not a results file: " + says).And.NotContain("\n").And.NotContain("   at ");
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing ran");
    }

    [Test]
    public async Task A_finding_names_its_case_s_exchange_by_place_and_a_baseline_whose_place_names_none_stops_the_run()
    {
        // results.json holds each exchange once, in its case's evidence; a finding of one of them says which. Read
        // back, the finding has its exchange again. A place that names none is not a results file.
        var (_, _, folder) = await RunWavyAsync("base", "customerId-not-required", "--filter", "WAVY-001");
        var node = JsonNode.Parse(await File.ReadAllTextAsync(Results(folder)))!;
        var @case = node["requirements"]![0]!["cases"]!.AsArray().First(c => c!["findings"]!.AsArray().Count > 0)!;
        var finding = @case["findings"]![0]!.AsObject();
        finding.ContainsKey("evidence").Should().BeFalse("its exchange is the case's");
        var place = finding["exchange"]!.GetValue<int>();
        var read = RunResults.Read(Results(folder)).Requirements[0].Cases.First(c => c.Findings.Count > 0);
        read.Findings[0].Evidence.Should().BeEquivalentTo(read.Evidence[place]);
        read.Findings[0].Evidence!.RequestLine.Should().Contain("/wavy-open-sessions/v1/session");

        finding["exchange"] = @case["evidence"]!.AsArray().Count;
        var bad = Path.Combine(dir, "bad.json");
        await File.WriteAllTextAsync(bad, node.ToJsonString());
        var (exit, output, err) = await RunAsync("--api", Api, "--filter", "WAVY-001", "--report-dir", Path.Combine(dir, "out"), "--baseline", bad);

        exit.Should().Be(ExitCodes.UsageOrConfiguration, output);
        err.Trim().Should().Contain("bad.json").And.Contain("/findings/0/exchange").And.Contain("not a results file: the place names none of the case's exchanges")
            .And.NotContain("\n").And.NotContain("   at ");
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing ran");
    }

    [Test]
    public async Task A_baseline_of_another_target_stops_the_run_before_it_starts()
    {
        // Before, a gate given another target's run ran and compared with it: whatever that provider failed counted as
        // still failing here, so a regression of this target on the same requirement passed the gate.
        var (_, _, other) = await RunWavyAsync("other", "customerId-not-required", "--filter", "WAVY-001");
        var node = JsonNode.Parse(await File.ReadAllTextAsync(Results(other)))!;
        node["target"]!["name"] = "another-provider";
        var baseline = Path.Combine(dir, "other.json");
        await File.WriteAllTextAsync(baseline, node.ToJsonString());

        var (exit, output, err) = await RunAsync("--api", Api, "--filter", "WAVY-001", "--fault", "customerId-not-required", "--report-dir", Path.Combine(dir, "out"),
            "--baseline", baseline, "--fail-on", "new");

        exit.Should().Be(ExitCodes.UsageOrConfiguration, output);
        err.Trim().Should().Contain("other.json is a run of target 'another-provider', not of 'embedded'").And.NotContain("\n").And.NotContain("   at ");
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing ran");
    }

    [Test]
    public async Task A_baseline_that_is_not_a_results_file_stops_the_run_before_it_starts()
    {
        var bad = Path.Combine(dir, "bad.json");
        await File.WriteAllTextAsync(bad, "{\"hello\": 1}");

        var (exit, output, err) = await RunAsync("--api", Api, "--report-dir", Path.Combine(dir, "out"), "--baseline", bad);

        exit.Should().Be(ExitCodes.UsageOrConfiguration);
        err.Trim().Should().Contain("not a results file").And.NotContain("\n").And.NotContain("   at ");
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing ran");
        output.Should().NotContain("requests");
    }
}
