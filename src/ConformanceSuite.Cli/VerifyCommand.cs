using System.CommandLine;
using System.Globalization;
using ConformanceSuite.Engine.Certification;
using ConformanceSuite.Http;

namespace ConformanceSuite.Cli;

/// <summary>
/// <c>conformance verify PACKAGE --public-key PEM</c>: checks a certification package (every file against the
/// manifest, nothing missing or extra, the signature over the manifest with the key given, the key the manifest
/// names) and prints who was certified, with what, when, and the verdict. Exit 0 when everything holds, 1 when
/// anything does not (each problem named), 2 for bad input (no such package, not a zip, an unreadable key).
/// </summary>
public static class VerifyCommand
{
    public const string Name = "verify";

    /// <summary>The package holds: every file, the signature, the key.</summary>
    public const int Verified = ExitCodes.Conformant;

    /// <summary>Something in the package does not hold.</summary>
    public const int NotVerified = ExitCodes.NotConformant;

    private static readonly string[] VerdictOrder = ["pass", "fail", "deviation", "skipped", "error"];

    public static Command Create(TextWriter stdout)
    {
        var package = new Argument<string>("package") { Description = "the certification package (zip) to check" };
        var publicKey = new Option<string>("--public-key") { Description = "the PEM file of the signer's public key (ECDSA P-256)", Required = true };
        var command = new Command(Name, "Check a certification package's files and signature, and print who was certified, with what, when, and the verdict.")
        {
            package, publicKey,
        };
        command.SetAction(async (parse, _) =>
        {
            var file = parse.GetValue(publicKey)!;
            using var key = CertificationKeys.ImportPublicKey(CertificationKeys.ReadPemFile(file, "public key"), $"in {file}");
            var verification = PackageVerifier.Verify(parse.GetValue(package)!, key);
            await stdout.WriteAsync(TerminalText.Safe(Report(verification))); // a package's manifest may say anything
            return verification.Verified ? Verified : NotVerified;
        });
        return command;
    }

    /// <summary>What the check found, then what the manifest says (marked unverified unless everything held).</summary>
    public static string Report(PackageVerification verification)
    {
        ArgumentNullException.ThrowIfNull(verification);
        var w = new StringWriter(CultureInfo.InvariantCulture);

        // Each line is one of the report's own: what a manifest says stays on its line (a manifest not verified may hold
        // a line break, and after it a VERIFIED line in this report's words, or a CI runner's command).
        void Line(string text) => w.WriteLine(ProviderText.OneLine(text));

        Line($"conformance: certification package {verification.PackagePath}, checked with the public key sha256 {verification.KeyFingerprint}");
        if (verification.Manifest is { } m)
        {
            Line(verification.Verified ? "  as the signed manifest says:" : "  as the manifest says (NOT verified: do not rely on it):");
            Line($"  who:     {m.Target.Name}: {m.Target.Description}");
            Line($"           {(m.Target.Embedded ? "embedded mock" : "live target")}{(m.Target.ProfileFile is null ? "" : $", profile {m.Target.ProfileFile}")}; base URLs: {Join(m.Target.BaseUrls.Select(u => $"{u.Key} {u.Value}"))}");
            Line($"           credentials used (names only): {Join(m.Target.Credentials.Select(c => $"{c.Api} {c.Name} ({c.Source}{(c.Variable is null ? "" : " " + c.Variable)})"))}");
            if (m.Target.Faults.Count > 0 || m.Target.InsecureTls)
            {
                Line($"           {(m.Target.Faults.Count > 0 ? $"faults switched on: {Join(m.Target.Faults)}" : "")}{(m.Target.Faults.Count > 0 && m.Target.InsecureTls ? "; " : "")}{(m.Target.InsecureTls ? "TLS certificate validation OFF" : "")}");
            }

            foreach (var api in m.Run.Apis)
            {
                Line($"  what:    {api.Id} ({api.Title}{(api.Overridden ? "; contract overridden by the target profile" : "")}): {api.Requirements} requirements: {Counts(api.Counts)}");
            }

            if (m.Run.Filter.Count > 0)
            {
                Line($"           filter: {Join(m.Run.Filter)}");
            }

            Line($"  tool:    {m.Tool.Name} {m.Tool.Version}, revision {m.Tool.Revision ?? "unknown"}{(m.Tool.Runtime is null ? "" : $", on {m.Tool.Runtime}")}");
            Line($"  when:    started {Time(m.Run.StartedAt)}, finished {Time(m.Run.FinishedAt)}; packaged {Time(m.CreatedAt)}; {m.Run.RequestCount} requests");
            Line($"  verdict: {Outcome(m.Verdict)}: {m.Verdict.Requirements} requirements: {Counts(m.Verdict.Counts)} (fail-on: {m.Verdict.FailOn})");
            Line($"  signer:  {m.Signer.Algorithm}, key sha256 {m.Signer.PublicKeySha256}");
        }

        if (verification.Verified)
        {
            Line($"conformance: VERIFIED: {verification.FilesChecked} files as the manifest lists them, none missing or extra; the signature over the manifest holds for the key given");
        }
        else
        {
            Line($"conformance: NOT VERIFIED: {verification.Problems.Count} problem{(verification.Problems.Count == 1 ? "" : "s")}:");
            foreach (var problem in verification.Problems)
            {
                Line($"  {problem}");
            }
        }

        return w.ToString();
    }

    /// <summary>The outcome as words; one this tool does not know yet is shown as written.</summary>
    private static string Outcome(CertifiedVerdict verdict) => verdict.Outcome switch
    {
        CertifiedVerdict.ConformantOutcome => "conformant",
        CertifiedVerdict.NotConformantOutcome => "not conformant",
        CertifiedVerdict.IncompleteOutcome => $"INCOMPLETE: nothing fails, but {verdict.NotChecked.Count} requirements were not fully checked ({string.Join(", ", verdict.NotChecked.Select(r => r.Id))})",
        null or "" => verdict.Conformant ? "conformant" : "not conformant",
        var other => other,
    };

    private static string Counts(IReadOnlyDictionary<string, int> counts) =>
        Join(VerdictOrder.Where(counts.ContainsKey).Concat(counts.Keys.Except(VerdictOrder, StringComparer.Ordinal)).Select(v => $"{counts[v]} {v}"));

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Join(IEnumerable<string> items) => items.Any() ? string.Join(", ", items) : "none";
}
