using ConformanceSuite.Cli;
using ConformanceSuite.Testing;
using YamlDotNet.RepresentationModel;

namespace ConformanceSuite.Tests;

/// <summary>
/// GitHub Actions cannot run here, so the sample workflow is read as YAML and held to its shape (a matrix of
/// target profiles, not failing fast; the baseline from main's last run; one pull-request comment), and
/// its shell is run for real: the gate step's script against the embedded mock with a baseline, and the
/// comment script on real report folders.
/// </summary>
[TestFixture]
public sealed class WorkflowTests
{
    private const string Api = "wavy-open-sessions";
    private static readonly string Root = Harness.Layout.Root;
    private static readonly YamlMappingNode Workflow = Load();
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-workflow-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    private static YamlMappingNode Load()
    {
        using var reader = new StreamReader(Path.Combine(Root, ".github", "workflows", "conformance.yml"));
        var yaml = new YamlStream();
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlNode node, params string[] path) =>
        (YamlMappingNode)path.Aggregate(node, (n, key) => ((YamlMappingNode)n).Children[new YamlScalarNode(key)]);

    private static string Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? ((YamlScalarNode)v).Value ?? "" : "";

    private static YamlMappingNode Job(string name) => Map(Workflow, "jobs", name);

    private static YamlMappingNode Step(string job, string name) =>
        ((YamlSequenceNode)Job(job).Children[new YamlScalarNode("steps")]).Children.Cast<YamlMappingNode>()
            .Single(s => Text(s, "name") == name);

    [Test]
    public void It_runs_on_pull_requests_and_on_pushes_to_main_that_make_the_baseline()
    {
        var on = Map(Workflow, "on");
        on.Children.Keys.Select(k => k.ToString()).Should().Contain(["pull_request", "push"]);
        ((YamlSequenceNode)Map(on, "push").Children[new YamlScalarNode("branches")]).Children.Select(b => b.ToString()).Should().Equal("main");
        Text(Step("conformance", "Upload reports"), "if").Should().Be("always()", "main's run is the baseline whatever its verdict");
        Text(Map(Step("conformance", "Upload reports"), "with"), "name").Should().Be("conformance-${{ env.TARGET_NAME }}");
    }

    [Test]
    public void It_runs_a_matrix_of_target_profiles_that_does_not_fail_fast_and_every_target_exists()
    {
        var strategy = Map(Job("conformance"), "strategy");
        Text(strategy, "fail-fast").Should().Be("false");
        var targets = ((YamlSequenceNode)Map(strategy, "matrix").Children[new YamlScalarNode("target")]).Children.Select(t => t.ToString()).ToList();
        targets.Should().HaveCountGreaterThan(1);
        targets.Should().OnlyContain(t => File.Exists(Path.Combine(Root, "targets", t + ".json")) || File.Exists(Path.Combine(Root, t)));
        Text(Map(Job("conformance"), "env"), "TARGET").Should().Be("${{ matrix.target }}");
    }

    [Test]
    public void The_baseline_comes_from_main_s_last_completed_run_of_the_same_target_on_pull_requests_only()
    {
        var step = Step("conformance", "Baseline from main");
        Text(step, "if").Should().Be("github.event_name == 'pull_request'");
        Text(step, "run").Should().Contain("gh run list").And.Contain("--branch main").And.Contain("--status completed")
            .And.Contain("gh run download").And.Contain("--name \"conformance-$TARGET_NAME\"").And.Contain("BASELINE=baseline/results.json");
        Text(Map(Job("conformance"), "permissions"), "actions").Should().Be("read");
    }

    [Test]
    public void One_comment_per_pull_request_is_edited_in_place_with_every_target_s_difference()
    {
        var job = Job("comment");
        Text(job, "needs").Should().Be("conformance");
        Text(job, "if").Should().StartWith("always() && github.event_name == 'pull_request'");
        Text(Map(job, "permissions"), "pull-requests").Should().Be("write");
        Text(Step("comment", "Comment the difference on the pull request"), "run").Should()
            .Contain("bash .github/scripts/pr-comment.sh comment.md")
            .And.Contain("gh pr comment \"$PR\"").And.Contain("--edit-last --create-if-none --body-file comment.md");
    }

    [Test]
    public void It_uses_no_tabs_and_keeps_secrets_out_of_the_file()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, ".github", "workflows", "conformance.yml"));
        lines.Should().NotContain(l => l.Contains('\t', StringComparison.Ordinal), "YAML forbids tabs for indentation");
        lines.Where(l => !l.TrimStart().StartsWith('#')).Should().NotContain(l => l.Contains("TOKEN:", StringComparison.Ordinal)
            && !l.Contains("secrets.", StringComparison.Ordinal) && !l.Contains("github.token", StringComparison.Ordinal));
    }

    private const string EntryPoint = "dotnet run --project src/ConformanceSuite.Cli --";

    /// <summary>
    /// A step's script run by bash in the repository root, with the entry point swapped for the built CLI (the same
    /// program), given one API and the mock's faults to stand for the pull request's provider.
    /// </summary>
    private static (int Exit, string Out, string Err) RunStep(YamlMappingNode step, string faults, Dictionary<string, string> environment) =>
        RunScript(step, $"dotnet \"{Path.Combine(AppContext.BaseDirectory, "conformance.dll")}\" {Arguments(faults)}", environment);

    /// <summary>
    /// The same step's script run by bash in the repository root, its entry point swapped for a command that prints
    /// the arguments it gets, which the CLI is then run with in this process: the script's own logic (the gate's
    /// options from BASELINE, quoting) is run for real, without a process start of the CLI's of its own.
    /// (<see cref="The_gate_step_fails_a_pull_request_that_regresses"/> runs the CLI in the script, for its exit code.)
    /// </summary>
    private static async Task<(int Exit, string Out, string Err)> RunStepInProcessAsync(YamlMappingNode step, string faults, Dictionary<string, string> environment)
    {
        var (exit, stdout, stderr) = RunScript(step, $"printf '%s\\0' {Arguments(faults)}", environment);
        exit.Should().Be(0, stderr);
        stdout.Should().EndWith("\0");
        using var output = new StringWriter();
        var cliExit = await CliApp.RunAsync(stdout[..^1].Split('\0'), output, output, CliTests.Context(environment));
        return (cliExit, output.ToString(), "");
    }

    private static string Arguments(string faults) => $"--api {Api}{(faults.Length == 0 ? "" : $" --fault {faults}")}";

    private static (int Exit, string Out, string Err) RunScript(YamlMappingNode step, string entryPoint, Dictionary<string, string> environment)
    {
        var script = Text(step, "run");
        script.Should().Contain(EntryPoint);
        script = script.Replace(EntryPoint, entryPoint, StringComparison.Ordinal);
        return ProcessRun.Run("bash", ["-euo", "pipefail", "-c", $"cd \"{Root}\" && {script}"], TimeSpan.FromMinutes(5), environment);
    }

    /// <summary>main's run: the embedded mock with two known failures (WAVY-001, WAVY-011).</summary>
    private async Task<string> MainRunAsync()
    {
        var baseline = Path.Combine(dir, "baseline");
        using var console = new StringWriter();
        (await CliApp.RunAsync(["--api", Api, "--report-dir", baseline, "--fault", "customerId-not-required,csv-header-translated"], console, console, CliTests.Context()))
            .Should().Be(ExitCodes.NotConformant, console.ToString());
        return baseline;
    }

    [Test]
    public async Task The_gate_step_passes_a_pull_request_with_only_known_failures_and_the_comment_shows_the_difference()
    {
        var baseline = await MainRunAsync();

        // The pull request fixes WAVY-011 and keeps WAVY-001 failing: the gate step passes.
        var reports = Path.Combine(dir, "reports");
        var pr = Path.Combine(reports, "conformance-embedded");
        var gate = Step("conformance", "Conformance gate");
        var (exit, output, err) = await RunStepInProcessAsync(gate, "customerId-not-required", new()
        {
            ["TARGET"] = "embedded", ["REPORT_DIR"] = pr, ["BASELINE"] = Path.Combine(baseline, "results.json"),
        });

        exit.Should().Be(0, "no regression against main: " + output + err);
        output.Should().Contain("no regression: the gate passes").And.Contain("still failing");
        var results = RunResults.Read(Path.Combine(pr, "results.json"));
        results.FailOn.Should().Be("new");
        results.Requirements.Should().Contain(r => r.Id == "WAVY-001" && r.Change == Change.StillFailing);

        // A second target whose job wrote no report; then the comment script on both.
        Directory.CreateDirectory(Path.Combine(reports, "conformance-embedded-renamed"));
        var comment = Path.Combine(dir, "comment.md");
        var (commentExit, _, commentErr) = ProcessRun.Run("bash",
            [Path.Combine(Root, ".github", "scripts", "pr-comment.sh"), comment, pr, Path.Combine(reports, "conformance-embedded-renamed")],
            TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["GITHUB_RUN_ID"] = "42", ["GITHUB_REPOSITORY"] = "acme/api" });

        commentExit.Should().Be(0, commentErr);
        var body = await File.ReadAllTextAsync(comment);
        body.Should().Contain("<summary><b>embedded</b></summary>").And.Contain("<summary><b>embedded-renamed</b></summary>")
            .And.Contain("https://github.com/acme/api/actions/runs/42")
            .And.Contain("Compared with the baseline run of").And.Contain("still failing")
            .And.Contain("🟢 fixed: **WAVY-011**")
            .And.Contain("The run wrote no report.md")
            .And.NotContain("| verdict |", "the comment is the difference; the table stays in the artifacts");
        body.Length.Should().BeLessThan(65536);
    }

    [Test]
    public async Task The_gate_step_fails_a_pull_request_that_regresses()
    {
        var baseline = await MainRunAsync();

        var (exit, output, err) = RunStep(Step("conformance", "Conformance gate"), "customerId-not-required,userName-wrong-accepted", new()
        {
            ["TARGET"] = "embedded", ["REPORT_DIR"] = Path.Combine(dir, "pr"), ["BASELINE"] = Path.Combine(baseline, "results.json"),
        });

        exit.Should().Be(ExitCodes.NotConformant, output + err);
        output.Should().Contain("WAVY-005").And.Contain("[NEW FAIL, was PASS]").And.Contain("a regression: the gate fails");
    }

    [Test]
    public async Task The_gate_step_without_a_baseline_gates_on_every_fail()
    {
        var (exit, output, err) = await RunStepInProcessAsync(Step("conformance", "Conformance gate"), "customerId-not-required", new()
        {
            ["TARGET"] = "embedded", ["REPORT_DIR"] = Path.Combine(dir, "first"), ["BASELINE"] = "",
        });

        exit.Should().Be(ExitCodes.NotConformant, output + err);
        RunResults.Read(Path.Combine(dir, "first", "results.json")).FailOn.Should().Be("fail");
    }

    [Test]
    public void The_comment_script_cuts_each_target_s_section_to_stay_under_github_s_limit()
    {
        var big = Path.Combine(dir, "conformance-big");
        Directory.CreateDirectory(big);
        File.WriteAllText(Path.Combine(big, "report.md"), "## ConformanceSuite: ❌ not conformant\n" + string.Concat(Enumerable.Repeat("- 🔴 new fail: **X-001** a long title\n", 5000)) + "| verdict | api |\n");
        var comment = Path.Combine(dir, "comment.md");

        var (exit, _, err) = ProcessRun.Run("bash", [Path.Combine(Root, ".github", "scripts", "pr-comment.sh"), comment, big], TimeSpan.FromMinutes(1));

        exit.Should().Be(0, err);
        var body = File.ReadAllText(comment);
        body.Length.Should().BeLessThan(65536);
        body.Should().Contain("(cut: the full report is in the artifacts)");
    }
}
