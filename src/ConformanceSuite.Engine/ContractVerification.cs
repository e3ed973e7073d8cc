using ConformanceSuite.Checks;
using ConformanceSuite.Engine.Pact;
using ConformanceSuite.Running;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Engine;

/// <summary>What a full check of a contracts folder found valid.</summary>
/// <param name="Root">The contracts folder.</param>
/// <param name="Apis">The APIs whose contracts load.</param>
/// <param name="Cases">The cases they expand to (the pact interactions included).</param>
/// <param name="Profiles">The target profiles that read.</param>
/// <param name="Pacts">The pacts that read.</param>
/// <param name="Files">Every file validated against its format schema (and the format schemas).</param>
public sealed record VerifiedContracts(string Root, IReadOnlyList<string> Apis, int Cases, int Profiles, int Pacts, IReadOnlyList<string> Files);

/// <summary>
/// Checks a whole contracts folder as a run would load it, ignoring any manifest: every API's contract and
/// the files it names, every target profile, every pact, and the expansion of every requirement into its
/// cases. With <c>writeManifest</c> it records the SHA-256 of every file it validated (validated.sha256), so
/// runs over the same bytes can skip format validation; the tool's pack step writes it that way.
/// </summary>
public static class ContractVerification
{
    public static VerifiedContracts Verify(string? contractsDirectory, bool writeManifest)
    {
        var layout = new RepositoryLayout(RepositoryLayout.Discover(contractsDirectory).Root, trustManifest: false);
        var pacts = new PactVerificationCheck(layout, null);
        var catalog = CaseCatalog.Build(layout, [], [], null, CheckRegistry.Default.With(pacts), pacts.RequirementsFor);
        var files = new List<string>(Directory.EnumerateFiles(Path.Combine(layout.Schemas, "_format"), "*.json"));
        foreach (var contract in catalog.Contracts.Values)
        {
            files.Add(Path.Combine(contract.Folder, "contract.json"));
            files.Add(Path.Combine(contract.Folder, contract.RequirementsFile));
            if (contract.DocFindingsFile is { } findings)
            {
                files.Add(Path.Combine(contract.Folder, findings));
            }

            foreach (var (name, _) in contract.BodySchemas)
            {
                files.Add(Path.Combine(contract.Folder, name));
            }

            files.AddRange(contract.CsvSpecs.Keys.Select(name => Path.Combine(contract.Folder, name)));
        }

        var profiles = Directory.Exists(layout.Targets) ? Directory.EnumerateFiles(layout.Targets, "*.json").Order(StringComparer.Ordinal).ToList() : [];
        foreach (var profile in profiles)
        {
            TargetProfiles.Read(layout, profile);
        }

        files.AddRange(profiles);
        var pactCount = Directory.Exists(layout.Pacts) ? Directory.EnumerateFiles(layout.Pacts, "*.json").Select(PactFile.Read).Count() : 0;
        if (writeManifest)
        {
            layout.WriteManifest(files);
        }

        return new VerifiedContracts(layout.Root, [.. catalog.Contracts.Keys], catalog.Cases.Count, profiles.Count, pactCount, files);
    }
}
