using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConformanceSuite.Testing;

namespace ConformanceSuite.Tests;

/// <summary>
/// The reports of a run with every verdict in it: junit.xml as a real consumer (junit2json) reads it, and
/// report.html as headless Chromium renders it (page text and a screenshot).
/// </summary>
[TestFixture]
[Order(5)] // long-running: started first so the short fixtures fill in around it
public sealed class ReportTests
{
    private static readonly string[] Faults = ["auth-token-unchecked", "csv-bom", "redirect-cross-origin", "pagination-empty-page"];
    private string dir = "";
    private RunResults results = null!;

    [OneTimeSetUp]
    public async Task RunWithEveryVerdictAsync()
    {
        dir = Path.Combine(Path.GetTempPath(), "cs-reports-" + Guid.NewGuid().ToString("N"));
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout, Faults = Faults });
        var catalog = CaseCatalog.Build(Harness.Layout, ["wavy-open-sessions", "opencx-chat-sessions"], []);
        // A check that throws on purpose (OPENCX-013's kind) puts the fifth verdict, error, in the reports too.
        using var session = new ConformanceSession(catalog, mock.Target(http: Harness.FastHttp with { InsecureTls = true }), Faults, EngineTests.Throwing(NotFoundCheck.KindName)) { Revision = Harness.Layout.Revision() };
        await session.RunAllAsync();
        results = session.Results();
        results.WriteAll(dir, session.Log, session.RunLog);
    }

    [OneTimeTearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    [Test]
    public void The_run_has_every_verdict()
    {
        results.Requirements.Select(r => r.Verdict).Distinct().Should().BeEquivalentTo([Verdict.Pass, Verdict.Fail, Verdict.Deviation, Verdict.Skipped, Verdict.Error]);
        foreach (var file in RunResults.ReportFiles)
        {
            File.Exists(Path.Combine(dir, file)).Should().BeTrue(file);
        }
    }

    [Test]
    public async Task Junit_xml_is_read_by_a_real_consumer_as_the_run_says()
    {
        var parsed = await JUnitConsumerAsync(Path.Combine(dir, "junit.xml"));

        var cases = results.Requirements.SelectMany(r => r.Cases).ToList();
        parsed.GetProperty("tests").GetInt32().Should().Be(cases.Count);
        parsed.GetProperty("failures").GetInt32().Should().Be(cases.Count(c => c.Verdict == Verdict.Fail));
        parsed.GetProperty("errors").GetInt32().Should().Be(cases.Count(c => c.Verdict == Verdict.Error)).And.BePositive();
        parsed.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("errored").GetBoolean()).Select(c => c.GetProperty("name").GetString())
            .Should().BeEquivalentTo(results.Requirements.SelectMany(r => r.Cases.Where(c => c.Verdict == Verdict.Error).Select(c => $"{r.Id} [{c.Element}] {r.Title}")));
        parsed.GetProperty("skipped").GetInt32().Should().Be(cases.Count(c => c.Verdict == Verdict.Skipped));
        var names = parsed.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        names.Should().HaveCount(cases.Count).And.OnlyContain(n => n!.StartsWith("WAVY-", StringComparison.Ordinal) || n.StartsWith("OPENCX-", StringComparison.Ordinal));
        var failed = parsed.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("failed").GetBoolean()).Select(c => c.GetProperty("name").GetString()).ToList();
        failed.Should().BeEquivalentTo(results.Requirements.SelectMany(r => r.Cases.Where(c => c.Verdict == Verdict.Fail).Select(c => $"{r.Id} [{c.Element}] {r.Title}")));
    }

    [Test]
    public async Task Under_fail_on_deviation_deviations_are_junit_failures()
    {
        var strict = results with { FailOn = "deviation" };
        var file = Path.Combine(dir, "junit-strict.xml");
        JUnitReport.Write(strict, file);

        var parsed = await JUnitConsumerAsync(file);

        parsed.GetProperty("failures").GetInt32().Should().Be(results.Requirements.SelectMany(r => r.Cases).Count(c => c.Verdict is Verdict.Fail or Verdict.Deviation));
    }

    [Test]
    public async Task Report_html_renders_in_headless_chromium_with_its_content()
    {
        var chromium = Chromium();
        var html = Path.Combine(dir, "report.html");
        var png = Path.Combine(dir, "report.png");

        // One browser run renders the page once for both: the page's text (the DOM after its scripts) and a screenshot.
        var text = await RunAsync(chromium, [.. ChromiumFlags(Path.Combine(dir, "chromium-profile")), "--hide-scrollbars", "--window-size=1280,2000", $"--screenshot={png}", "--dump-dom", new Uri(html).AbsoluteUri]);

        text.Should().Contain("NOT CONFORMANT").And.Contain("Requirements × API").And.Contain("Doc findings").And.Contain("Assumptions in force")
            .And.Contain("TLS certificate validation was OFF").And.Contain("F-WAVY-01").And.Contain("A-OPENCX-07").And.Contain("DEVIATION").And.Contain("SKIPPED").And.Contain("ERROR");
        foreach (var anchor in HtmlReport.Anchors(results).Values)
        {
            text.Should().Contain($"id=\"{anchor}\"");
        }

        var bytes = await File.ReadAllBytesAsync(png);
        bytes.AsSpan(0, 8).ToArray().Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)).Should().Be(1280, "the screenshot has the window's width");
        bytes.Length.Should().BeGreaterThan(60_000, "a rendered report, not a blank page, compresses to this much");
    }

    [Test]
    public void Report_html_anchors_are_fragment_ids_without_whitespace_that_match_their_links_and_are_unique()
    {
        // Before: a requirement's row was id="PACT wavy-open-sessions", its links href="#PACT wavy-open-sessions": an id
        // with whitespace is no valid HTML id, nor the link a valid URL fragment. Ids that differ only in what an anchor
        // cannot hold, and one that is another element's id (overall), still get anchors of their own.
        var template = results.Requirements.First(r => r.NotChecked.Count > 0);
        string[] odd = ["PACT wavy-open-sessions", "PACT-wavy-open-sessions", "PACT\twavy-open-sessions", "overall", "X \"<&>\" é#1"];
        var wide = results with { Requirements = [.. results.Requirements, .. odd.Select(id => template with { Id = id })] };

        var html = HtmlReport.Render(wide);

        var ids = Regex.Matches(html, "\\sid=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        ids.Should().OnlyHaveUniqueItems().And.OnlyContain(id => Regex.IsMatch(id, "^[A-Za-z0-9._~-]+$"), "an id is a fragment as it is: no whitespace, nothing to escape");
        var links = Regex.Matches(html, "href=\"#([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        links.Should().NotBeEmpty().And.OnlyContain(l => ids.Contains(l), "every link has its target");
        foreach (var r in wide.Requirements)
        {
            var shown = Regex.Escape(WebUtility.HtmlEncode(r.Id));
            var rows = Regex.Matches(html, $"<tr id=\"([^\"]*)\"><td>(?:(?!</td>).)*</td><td><b>{shown}</b>").Select(m => m.Groups[1].Value).ToList();
            rows.Should().ContainSingle(r.Id);
            var linked = Regex.Matches(html, $"<a [^>]*href=\"#([^\"]*)\"[^>]*>{shown}</a>").Select(m => m.Groups[1].Value).ToList();
            linked.Should().NotBeEmpty(r.Id).And.OnlyContain(l => l == rows[0], r.Id);
        }
    }

    [Test]
    public void Every_report_gives_per_endpoint_latency()
    {
        var json = RunResults.Read(Path.Combine(dir, "results.json"));
        var md = File.ReadAllText(Path.Combine(dir, "report.md"));
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        var junit = System.Xml.Linq.XDocument.Load(Path.Combine(dir, "junit.xml"));

        json.Latency.Should().Contain(l => l.Api == "wavy-open-sessions" && l.Endpoint == "GET /v1/session")
            .And.Contain(l => l.Api == "opencx-chat-sessions" && l.Endpoint == "GET /chat/sessions/{session_id}")
            .And.OnlyContain(l => l.Count > 0 && l.P50Ms <= l.P95Ms && l.P95Ms <= l.MaxMs && l.Slowest.Length > 0);
        md.Should().Contain("### Latency").And.Contain("| wavy-open-sessions | GET /v1/session |");
        html.Should().Contain("id=\"latency\"").And.Contain("GET /chat/sessions/{session_id}");
        junit.Descendants("property").Select(p => p.Attribute("name")!.Value).Should().Contain("latency GET /v1/session");
        TextReports.Console(json).Should().Contain("latency (ms)").And.Contain("opencx-chat-sessions GET /chat/sessions ");
    }

    [Test]
    public void Report_md_carries_the_findings_and_the_insecure_warning()
    {
        var md = File.ReadAllText(Path.Combine(dir, "report.md"));

        md.Should().Contain("❌ not conformant").And.Contain("TLS certificate validation was **off**").And.Contain("### Findings").And.Contain("F-WAVY-01");
    }

    [Test]
    public void A_failing_or_deviating_cases_notes_are_in_every_report_beside_its_findings()
    {
        // Notes say what was judged and how much ("N findings in all; M are kept"); without them a case's findings read as all there was.
        var noted = results.Requirements.SelectMany(r => r.Cases).Where(c => c.Verdict is Verdict.Fail or Verdict.Deviation && c.Notes.Count > 0).ToList();
        noted.Should().NotBeEmpty("the faults make cases fail that note what they judged");
        var md = File.ReadAllText(Path.Combine(dir, "report.md"));
        var junit = System.Xml.Linq.XDocument.Load(Path.Combine(dir, "junit.xml")).Descendants("testcase")
            .ToDictionary(t => (string)t.Attribute("name")!, t => string.Concat(t.Descendants().Select(d => d.Value)));
        var console = TextReports.Console(results);
        foreach (var c in noted)
        {
            var title = results.Requirements.Single(r => r.Id == c.RequirementId).Title;
            foreach (var note in c.Notes)
            {
                md.Should().Contain("_note:_ " + TextReports.MarkdownText(note), c.RequirementId);
                junit[$"{c.RequirementId} [{c.Element}] {title}"].Should().Contain("note: " + note, c.RequirementId);
                console.Should().Contain(note, c.RequirementId);
            }
        }
    }

    /// <summary>Chromium's flags, its profile in <paramref name="profile"/> (under the fixture's folder, so it goes with it: a profile is 2.4 MB).</summary>
    private static string[] ChromiumFlags(string profile) =>
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        $"--user-data-dir={profile}",
    ];

    /// <summary>Debian's chromium, installed by tools/install-chromium.sh when missing (root only).</summary>
    private static string Chromium()
    {
        if (!File.Exists("/usr/bin/chromium"))
        {
            var install = Path.Combine(Harness.Layout.Root, "tools", "install-chromium.sh");
            var (exit, stdout, stderr) = ProcessRun.Run("bash", [install], TimeSpan.FromMinutes(8));
            var output = stdout + stderr;
            if (exit != 0 && Environment.UserName != "root")
            {
                Assert.Ignore($"headless Chromium is not installed and cannot be installed without root: {output}");
            }

            exit.Should().Be(0, $"tools/install-chromium.sh: {output}");
        }

        return "/usr/bin/chromium";
    }

    private static async Task<JsonElement> JUnitConsumerAsync(string junit)
    {
        var tool = Path.Combine(Harness.Layout.Root, "tools", "junit-check");
        if (!Directory.Exists(Path.Combine(tool, "node_modules", "junit2json")))
        {
            var (exit, stdout, stderr) = ProcessRun.Run("npm", ["ci", "--no-audit", "--no-fund", "--prefix", tool], TimeSpan.FromMinutes(5));
            exit.Should().Be(0, $"npm ci in tools/junit-check: {stdout}{stderr}");
        }

        var json = await RunAsync("node", [Path.Combine(tool, "check.mjs"), junit]);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private static async Task<string> RunAsync(string file, string[] args)
    {
        var (exit, stdout, stderr) = await Task.Run(() => ProcessRun.Run(file, args, TimeSpan.FromMinutes(2)));
        exit.Should().Be(0, $"{file} {string.Join(' ', args)}: {stderr}");
        return stdout;
    }
}
