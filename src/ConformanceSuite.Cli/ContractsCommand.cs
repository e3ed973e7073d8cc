using System.CommandLine;
using ConformanceSuite.Engine;

namespace ConformanceSuite.Cli;

/// <summary>
/// <c>conformance contracts [--contracts DIR] [--write-manifest]</c>: checks a contracts folder as a run would
/// load it (every contract, profile and pact) without sending anything; with --write-manifest, records the
/// SHA-256 of every validated file, as the tool's pack step does.
/// </summary>
public static class ContractsCommand
{
    public static Command Create(TextWriter stdout)
    {
        var contracts = new Option<string?>("--contracts") { Description = "the contract data to check (default: the copy shipped with the tool)" };
        var write = new Option<bool>("--write-manifest") { Description = $"record the SHA-256 of every validated file in {RepositoryLayout.ManifestFile}, so runs over the same bytes skip format validation" };
        var command = new Command("contracts", "Check a contracts folder (every contract, target profile and pact) without running anything.") { contracts, write };
        command.SetAction(async (parse, _) =>
        {
            var verified = ContractVerification.Verify(parse.GetValue(contracts), parse.GetValue(write));
            await stdout.WriteLineAsync($"conformance: {verified.Root}: {verified.Apis.Count} APIs ({string.Join(", ", verified.Apis)}), {verified.Cases} cases, "
                + $"{verified.Profiles} target profiles, {verified.Pacts} pacts: valid"
                + (parse.GetValue(write) ? $"; {verified.Files.Count} files recorded in {RepositoryLayout.ManifestFile}" : ""));
            return ExitCodes.Conformant;
        });
        return command;
    }
}
