using System.CommandLine;
using System.Security.Cryptography;
using ConformanceSuite.Engine;
using ConformanceSuite.Engine.Certification;
using ConformanceSuite.Running;

namespace ConformanceSuite.Cli;

/// <summary>
/// <c>conformance certify [run options] --package FILE.zip [--signing-key PEM | --signing-key-env NAME]</c>: runs
/// the certification as the main job does, then writes one signed package with its reports, the contracts in
/// force, the target's public description and the verdict. Exit codes as the main job's; the package is
/// written for a conformant and a not-conformant run alike. The signing key comes from a PEM file, or from
/// the environment variable named (default <see cref="DefaultKeyVariable"/>) holding the PEM text; it goes
/// nowhere else, and those variables are hidden from the run (a profile cannot send or record them).
/// </summary>
public static class CertifyCommand
{
    public const string Name = "certify";

    /// <summary>The variable read for the signing key's PEM text when neither --signing-key nor --signing-key-env is given.</summary>
    public const string DefaultKeyVariable = "CONFORMANCE_SIGNING_KEY";

    public static Command Create(TextWriter stdout, TextWriter stderr, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var run = new RunOptions();
        var package = new Option<string>("--package") { Description = "the certification package (a zip) to write", Required = true };
        var keyFile = new Option<string?>("--signing-key") { Description = "the PEM file of the ECDSA P-256 private key that signs the package" };
        var keyVariable = new Option<string?>("--signing-key-env") { Description = $"the environment variable holding the signing key's PEM text (default: {DefaultKeyVariable}, when --signing-key is not given)" };
        var command = new Command(Name, "Run a certification and write a signed package of its reports, contracts in force, target and verdict.");
        foreach (var option in run.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(package);
        command.Options.Add(keyFile);
        command.Options.Add(keyVariable);
        command.SetAction(async (parse, _) =>
        {
            var (key, variable) = SigningKey(parse.GetValue(keyFile), parse.GetValue(keyVariable), context.Variables);
            using (key)
            {
                // A key's variable is not the run's to read: a profile naming it would send or record it.
                var variables = context.Variables.Where(kv => kv.Key != DefaultKeyVariable && kv.Key != variable)
                    .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                var progress = new ConsoleProgress(stdout, context.Interactive);
                var accept = parse.GetValue(run.AcceptIncomplete);
                using var interrupts = new Interrupts(stderr);
                var certification = await Certifier.RunAsync(run.Settings(parse, variables, context.Checks) with { Interrupt = interrupts.Token }, key, parse.GetValue(package)!, progress, accept);
                progress.Finish();
                var results = certification.Results;
                await stdout.WriteLineAsync(TerminalText.Safe(TextReports.Summary(results)));
                if (results.Target.InsecureTls)
                {
                    await stdout.WriteLineAsync("conformance: TLS certificate validation was OFF for this run (--insecure)");
                }

                await stdout.WriteLineAsync($"conformance: {string.Join(", ", RunResults.ReportFiles)} are in {progress.ReportDirectory}");
                if (interrupts.Signal is not null)
                {
                    await stderr.WriteLineAsync("conformance: no certification package: the run was stopped before its end");
                    return interrupts.ExitCode;
                }

                if (certification.Manifest is not { } manifest)
                {
                    await stderr.WriteLineAsync($"conformance: no certification package: the run is incomplete ({results.NotFullyChecked.Count()} requirements not fully checked); "
                        + "a package certifies only what was checked, or says so: give --accept-incomplete to write one that records what was not");
                    return ExitCodes.Incomplete;
                }

                await stdout.WriteLineAsync($"conformance: certification package {certification.PackagePath}: {manifest.Files.Count + 2} files, "
                    + $"verdict {manifest.Verdict.Outcome}, signed with the key sha256 {manifest.Signer.PublicKeySha256}");
                return ExitCodes.Of(results, accept);
            }
        });
        return command;
    }

    /// <summary>The signing key, from the file or the variable; and the variable it came from (null for a file).</summary>
    private static (ECDsa Key, string? Variable) SigningKey(string? file, string? variable, IReadOnlyDictionary<string, string> variables)
    {
        if (file is not null && variable is not null)
        {
            throw new ConfigurationException("give the signing key with --signing-key FILE or --signing-key-env NAME, not both");
        }

        if (file is not null)
        {
            return (CertificationKeys.ImportSigningKey(CertificationKeys.ReadPemFile(file, "signing key"), $"in {file}"), null);
        }

        var name = variable ?? DefaultKeyVariable;
        if (variables.GetValueOrDefault(name) is not { Length: > 0 } pem)
        {
            throw new ConfigurationException(variable is null
                ? $"no signing key: give --signing-key FILE (a PEM ECDSA P-256 private key), or its PEM text in the environment variable {DefaultKeyVariable} or in one named by --signing-key-env"
                : $"no signing key: the environment variable {name} (--signing-key-env) is not set");
        }

        return (CertificationKeys.ImportSigningKey(pem, $"in the environment variable {name}"), name);
    }
}
