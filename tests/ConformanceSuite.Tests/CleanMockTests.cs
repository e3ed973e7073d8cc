namespace ConformanceSuite.Tests;

/// <summary>The pass side: the clean mock passes every requirement, and the run keeps credentials home.</summary>
[TestFixture]
public sealed class CleanMockTests
{
    [TestCase("wavy-open-sessions")]
    [TestCase("opencx-chat-sessions")]
    [TestCase("chat-session-list")]
    public async Task The_clean_mock_passes_every_requirement(string api)
    {
        var results = await Harness.RunAsync(api);

        results.Requirements.Should().NotBeEmpty();
        results.Requirements.Should().OnlyContain(r => r.Verdict == Verdict.Pass, Harness.Verdicts(results));
        results.Conformant.Should().BeTrue();
        results.RequestCount.Should().BeGreaterThan(0);
    }

    [Test]
    public async Task The_download_origin_never_sees_a_credential()
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout });
        await Harness.RunAgainstAsync(mock.Target(http: Harness.FastHttp), "wavy-open-sessions");

        mock.Audit.Requests.Should().BeGreaterThan(0, "the suite downloads the CSVs");
        mock.Audit.AnyCredentialSeen.Should().BeFalse();
        mock.DownloadOrigin.Authority.Should().NotBe(mock.ApiOrigin.Authority, "the download is cross-origin");
    }

    [Test]
    public async Task A_provider_that_refuses_an_empty_sub_account_fails_the_success_body_case_of_that_scenario_with_the_status_it_gave()
    {
        // The sub-accounts' own cases of WAVY-006, not only WAVY-013's skip: the refusal (400) is what was found.
        var results = await Harness.RunAsync("wavy-open-sessions", "subAccountId-rejected");

        var cases = results.Requirements.Single(r => r.Id == "WAVY-006").Cases;
        var refused = cases.Where(c => c.Element.StartsWith("sub-account", StringComparison.Ordinal)).ToList();
        refused.Select(c => c.Element).Should().BeEquivalentTo("sub-account", "sub-account-without-sessions");
        refused.Should().OnlyContain(c => c.Verdict == Verdict.Fail && c.Findings.OfType<Checks.StatusMismatch>().Count(f => f.Expected == 200 && f.Received == 400) == 1, Harness.Verdicts(results));
        cases.Except(refused).Should().OnlyContain(c => c.Verdict == Verdict.Pass);
        results.Requirements.Single(r => r.Id == "WAVY-013").Cases.Single(c => c.Element == "sub-account-without-sessions").Verdict.Should().Be(Verdict.Skipped);
    }

    [Test]
    public async Task An_export_case_whose_listing_holds_no_value_that_needs_quoting_says_so_and_one_whose_listing_holds_one_does_not()
    {
        // A CSV that never quotes its values is the very file a quoting provider writes when no value holds the delimiter,
        // a quote or a line break: a pass then says nothing of quoting, and the case notes it. The mock's data holds one
        // such name; the same data with that name made plain is what a provider's data without one looks like.
        var dir = Directory.CreateTempSubdirectory("cs-quoting-").FullName;
        try
        {
            var plain = Path.Combine(dir, "contracts");
            CliTests.CopyDirectory(Harness.Layout.Root, plain, ["schemas", "fixtures", "targets", "pacts"]);
            var dataset = Path.Combine(plain, "fixtures", "chat-session-list", "dataset.json");
            var text = File.ReadAllText(dataset);
            text.Should().Contain("Martins, Hugo \\\"Hu\\\"; Recife").And.Contain("Bruno\\nLima");
            File.WriteAllText(dataset, text.Replace("Martins, Hugo \\\"Hu\\\"; Recife", "Hugo Martins", StringComparison.Ordinal).Replace("Bruno\\nLima", "Bruno Lima", StringComparison.Ordinal));
            // And a copy whose one line break is made plain: the comma, the semicolon and the quotes are still there.
            var unbroken = Path.Combine(dir, "unbroken");
            CliTests.CopyDirectory(Harness.Layout.Root, unbroken, ["schemas", "fixtures", "targets", "pacts"]);
            File.WriteAllText(Path.Combine(unbroken, "fixtures", "chat-session-list", "dataset.json"), text.Replace("Bruno\\nLima", "Bruno Lima", StringComparison.Ordinal));
            async Task<IReadOnlyList<CaseOutcome>> ExportCases(string contracts) => (await ConformanceEngine.RunAsync(new RunSettings
            {
                Apis = ["chat-session-list"], Filter = ["CSL-021"], ContractsDirectory = contracts, ReportDirectory = Path.Combine(dir, Path.GetFileName(contracts)),
            })).Requirements.Single().Cases;
            Func<CaseOutcome, bool> unseen = c => c.Notes.Any(n => n.Contains("cannot tell a provider that never quotes its values", StringComparison.Ordinal));

            var withoutOne = await ExportCases(plain);
            var withOne = await ExportCases(Harness.Layout.Root);

            withoutOne.Should().OnlyContain(c => c.Verdict == Verdict.Pass);
            withoutOne.Where(c => !c.Element.EndsWith("@no-sessions", StringComparison.Ordinal)).Should().NotBeEmpty().And.OnlyContain(c => unseen(c));
            withoutOne.Where(c => c.Element.EndsWith("@no-sessions", StringComparison.Ordinal)).Should().NotBeEmpty().And.NotContain(c => unseen(c), "a file without rows has no value to quote");
            withOne.Where(c => c.Element.EndsWith("@all-sessions", StringComparison.Ordinal)).Should().HaveCount(2).And.OnlyContain(c => !c.Notes.Any(n => n.Contains("cannot tell", StringComparison.Ordinal)));
            // A provider that quotes a value for its delimiter or quote alone would leave a line break bare: with no line break in the data, that is said.
            var withoutBreak = await ExportCases(unbroken);
            withoutBreak.Where(c => c.Element.EndsWith("@all-sessions", StringComparison.Ordinal)).Should().HaveCount(2).And.OnlyContain(c => c.Notes.Contains(
                "no value of the JSON listing holds a line break, so this case cannot tell a provider that leaves it unquoted from one that quotes it"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A Wavy run against the mock by a target that gives all its test data but <paramref name="slot"/>.</summary>
    private static async Task<RunResults> WavyWithoutTestDataAsync(string slot)
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout });
        var target = mock.Target(http: Harness.FastHttp);
        var api = target.Apis["wavy-open-sessions"];
        var without = target with
        {
            Apis = new Dictionary<string, Targets.ApiTarget>
            {
                [api.ApiId] = api with { TestData = api.TestData.Where(kv => kv.Key != slot).ToDictionary() },
            },
        };

        return await Harness.RunAgainstAsync(without, "wavy-open-sessions");
    }

    [Test]
    public async Task A_missing_test_data_id_skips_the_checks_that_need_it_with_the_reason()
    {
        var results = await WavyWithoutTestDataAsync("subAccount");

        var narrowing = results.Requirements.Single(r => r.Id == "WAVY-003");
        narrowing.Verdict.Should().Be(Verdict.Skipped);
        narrowing.Cases.Single().Message.Should().Contain("the target gives no test data 'subAccount'");
        string[] withSubAccountCases = ["WAVY-006", "WAVY-007", "WAVY-009", "WAVY-011"];
        results.Requirements.Where(r => r.Id is not ("WAVY-003" or "WAVY-012") && !withSubAccountCases.Contains(r.Id)).Should().OnlyContain(r => r.Verdict == Verdict.Pass);
        results.Requirements.Where(r => withSubAccountCases.Contains(r.Id)).SelectMany(r => r.Cases).Where(c => c.Element != "sub-account").Should().OnlyContain(c => c.Verdict == Verdict.Pass);
        results.Requirements.Where(r => withSubAccountCases.Contains(r.Id)).Select(r => r.Cases.Single(c => c.Element == "sub-account")).Should().OnlyContain(c => c.Verdict == Verdict.Skipped);
        narrowing.Cases.Single().Setting.Should().Be("apis.wavy-open-sessions.testData.subAccount", "the setting that would let it be checked is named");
        results.Outcome.Should().Be(RunOutcome.Incomplete, "a skip is not a failure, but neither is it conformance");
        results.Conformant.Should().BeFalse();
    }

    [Test]
    public async Task A_target_without_an_empty_sub_account_has_that_case_skipped_with_the_setting_and_the_rest_judged()
    {
        // A profile written before subAccountWithoutSessions existed: the cases of its scenario are skipped, each naming
        // the setting to add; the customer without sessions is still judged, and the run is incomplete, not conformant.
        var results = await WavyWithoutTestDataAsync("subAccountWithoutSessions");

        var skipped = results.Requirements.SelectMany(r => r.Cases).Where(c => c.Verdict != Verdict.Pass).ToList();
        skipped.Select(c => c.RequirementId).Should().BeEquivalentTo(["WAVY-006", "WAVY-007", "WAVY-009", "WAVY-011", "WAVY-013"], Harness.Verdicts(results));
        skipped.Should().OnlyContain(c => c.Element == "sub-account-without-sessions" && c.Verdict == Verdict.Skipped
            && c.Setting == "apis.wavy-open-sessions.testData.subAccountWithoutSessions"
            && c.Message.Contains("the target gives no test data 'subAccountWithoutSessions'", StringComparison.Ordinal));
        results.Requirements.Single(r => r.Id == "WAVY-013").Cases.Single(c => c.Element == "without-sessions").Verdict.Should().Be(Verdict.Pass);
        results.Outcome.Should().Be(RunOutcome.Incomplete);
        results.Conformant.Should().BeFalse();
    }

    [Test]
    public async Task Wrong_configured_credentials_skip_the_auth_checks_instead_of_passing_them()
    {
        await using var mock = await MockHost.StartAsync(new MockOptions { Layout = Harness.Layout });
        var target = mock.Target(http: Harness.FastHttp);
        var api = target.Apis["wavy-open-sessions"];
        var badCredentials = target with
        {
            Apis = new Dictionary<string, Targets.ApiTarget>
            {
                [api.ApiId] = api with { Credentials = api.Credentials.ToDictionary(kv => kv.Key, kv => kv.Value + "-nope") },
            },
        };

        var results = await Harness.RunAgainstAsync(badCredentials, "wavy-open-sessions");

        results.Requirements.Single(r => r.Id == "WAVY-004").Verdict.Should().Be(Verdict.Skipped, "a 401 proves nothing when the valid call is refused too");
        results.Requirements.Single(r => r.Id == "WAVY-006").Verdict.Should().Be(Verdict.Fail);
    }

    [Test]
    public async Task Verdicts_of_deviations_fail_the_run_only_when_asked()
    {
        var results = await Harness.RunAsync("wavy-open-sessions", "csv-bom");

        results.Conformant.Should().BeTrue();
        results.Requirements.Should().Contain(r => r.Verdict == Verdict.Deviation);
        results.Requirements.Any(r => RunResults.FailsRun(r.Verdict, "deviation")).Should().BeTrue();
    }
}
