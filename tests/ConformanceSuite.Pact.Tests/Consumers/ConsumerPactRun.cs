using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Pact.Tests.Consumers;

/// <summary>
/// Around all consumer tests: start from an empty folder, and at the end hold the regenerated pacts to the
/// committed ones in pacts/ (CONFORMANCE_UPDATE_PACTS=true rewrites them instead). Any difference fails
/// the test run.
/// </summary>
[SetUpFixture]
public sealed class ConsumerPactRun
{
    [OneTimeSetUp]
    public void Clean()
    {
        if (Directory.Exists(PactFiles.Regenerated))
        {
            Directory.Delete(PactFiles.Regenerated, recursive: true);
        }

        Directory.CreateDirectory(PactFiles.Regenerated);
    }

    [OneTimeTearDown]
    public void CompareWithCommitted()
    {
        var update = Environment.GetEnvironmentVariable(PactFiles.UpdateVariable) == "true";
        var written = Directory.EnumerateFiles(PactFiles.Regenerated, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToList();
        written.Should().NotBeEmpty("the consumer tests write pacts");
        var differences = new List<string>();
        foreach (var file in written)
        {
            var fresh = PactFiles.Normalise(File.ReadAllText(file));
            var committed = Path.Combine(PactFiles.Committed, Path.GetFileName(file));
            if (update)
            {
                File.WriteAllText(committed, fresh);
            }
            else if (!File.Exists(committed))
            {
                differences.Add($"{Path.GetFileName(file)} is not committed in pacts/");
            }
            else if (File.ReadAllText(committed) != fresh)
            {
                differences.Add($"{Path.GetFileName(file)} differs from pacts/ (regenerated at {file})");
            }
        }

        differences.Should().BeEmpty($"the committed pacts must be what the consumer tests write; set {PactFiles.UpdateVariable}=true to rewrite them on purpose");
    }
}
