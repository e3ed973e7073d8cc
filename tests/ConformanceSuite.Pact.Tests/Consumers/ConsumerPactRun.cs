using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Pact.Tests.Consumers;

/// <summary>
/// Around all consumer tests: start from an empty folder; at the end, remove it when every regenerated pact is the
/// committed one (a difference keeps it to look at). <see cref="CommittedPactsTests"/> holds them to each other: a
/// failure here, in a one-time teardown, would not fail <c>dotnet test</c>.
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
    public void RemoveWhenSame()
    {
        if (PactFiles.Differences(update: false).Count == 0)
        {
            Directory.Delete(PactFiles.Regenerated, recursive: true);
        }
    }
}

/// <summary>
/// After the consumer tests (fixtures run in their order, one at a time): the regenerated pacts are the committed ones
/// in pacts/, byte for byte (CONFORMANCE_UPDATE_PACTS=true rewrites them instead).
/// </summary>
[TestFixture]
[Order(4)]
public sealed class CommittedPactsTests
{
    [Test]
    public void The_committed_pacts_are_what_the_consumer_tests_write()
    {
        var update = Environment.GetEnvironmentVariable(PactFiles.UpdateVariable) == "true";
        Directory.EnumerateFiles(PactFiles.Regenerated, "*.json").Should().HaveCount(4, "the consumer fixtures have written their pacts before this one runs");

        PactFiles.Differences(update).Should().BeEmpty($"the committed pacts must be what the consumer tests write; set {PactFiles.UpdateVariable}=true to rewrite them on purpose");
    }
}
