using ConformanceSuite.Http;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Tests;

/// <summary>A case keeps a bounded number of findings, and still the verdict they call for.</summary>
[TestFixture]
public sealed class CheckRunTests
{
    private const string Api = "wavy-open-sessions";

    [Test]
    public void Past_the_bound_findings_are_counted_and_one_of_a_documented_rule_takes_the_last_place_when_none_kept_is()
    {
        var folder = Directory.CreateTempSubdirectory("cs-checkrun-");
        try
        {
            var contract = Harness.Catalog(Api).Contracts[Api];
            using var http = new ConformanceHttpClient(new HttpSettings(), new Redactor(), new RequestLog(folder.FullName));
            using var context = new ApiContext(contract, new ApiTarget { ApiId = Api, BaseUrl = new Uri("http://127.0.0.1/") }, http);
            var run = new CheckRun(new CheckCase(contract, contract.Requirements[0], new CaseElement("all")), context, new DownloadLinkUrlCheck());
            var assumed = Basis.Assumed("A-WAVY-01");
            var documented = new Basis { Doc = "wavy-es", Section = "Respuesta" };

            for (var i = 0; i < CheckRun.MaxFindings + 10; i++)
            {
                run.Fail(new ValueMismatch($"/a{i}", "a", "b"), assumed);
            }

            run.Findings.Should().HaveCount(CheckRun.MaxFindings).And.OnlyContain(f => f.Aspect == Aspect.Assumed);
            run.Findings[^1].Should().BeOfType<ValueMismatch>().Which.At.Should().Be($"/a{CheckRun.MaxFindings - 1}", "the first ones are kept");
            run.FindingsNotKept.Should().Be(10);

            run.Fail(new ValueMismatch("/documented", "a", "b"), documented);
            run.Fail(new ValueMismatch("/documented-too", "a", "b"), documented);
            run.Fail(new ValueMismatch("/assumed", "a", "b"), assumed);

            run.Findings.Should().HaveCount(CheckRun.MaxFindings);
            run.Findings[^1].Should().BeOfType<ValueMismatch>().Which.At.Should().Be("/documented", "the verdict rests on one documented finding; one is enough");
            run.Findings[^1].Aspect.Should().Be(Aspect.Documented);
            run.Findings[^2].Should().BeOfType<ValueMismatch>().Which.At.Should().Be($"/a{CheckRun.MaxFindings - 2}");
            run.FindingsNotKept.Should().Be(13, "every finding is counted, the one that gave its place too");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void A_case_checked_in_part_for_several_reasons_keeps_each_once_and_the_first_setting()
    {
        var folder = Directory.CreateTempSubdirectory("cs-checkrun-");
        try
        {
            var contract = Harness.Catalog(Api).Contracts[Api];
            var redactor = new Redactor();
            redactor.AddSecret("s3cret-token-value");
            using var http = new ConformanceHttpClient(new HttpSettings(), redactor, new RequestLog(folder.FullName));
            using var context = new ApiContext(contract, new ApiTarget { ApiId = Api, BaseUrl = new Uri("http://127.0.0.1/") }, http);
            var run = new CheckRun(new CheckCase(contract, contract.Requirements[0], new CaseElement("all")), context, new DownloadLinkUrlCheck());

            run.CheckedInPart("a schema pattern was cut off", "timeouts.patternSeconds");
            run.CheckedInPart("no item matches status=x");
            run.CheckedInPart("a schema pattern was cut off", "other.setting");
            run.CheckedInPart("the provider said s3cret-token-value", "maxBufferedBytes");

            run.Partial.Should().Be("a schema pattern was cut off; no item matches status=x; the provider said [redacted]",
                "a later reason never hides an earlier one, one said again is kept once, and each is scrubbed");
            run.PartialSetting.Should().Be("timeouts.patternSeconds", "the first setting named is the one a user changes first");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
