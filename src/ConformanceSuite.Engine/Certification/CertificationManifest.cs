using System.Text.Json;
using System.Text.Json.Nodes;
using ConformanceSuite.Running;

namespace ConformanceSuite.Engine.Certification;

/// <summary>
/// The signed table of contents of a certification package (<c>manifest.json</c>): who was certified, with
/// what, when, the verdict, the signer's key fingerprint, and every other file of the package with its
/// SHA-256 and size. <c>manifest.sig</c> is the signature over its exact bytes. A reader ignores properties
/// it does not know, so later versions of the format may add some (see <see cref="CertifiedVerdict"/>).
/// </summary>
public sealed record CertificationManifest
{
    /// <summary>The format and its major version; a reader refuses another major version.</summary>
    public const string FormatName = "conformance-certification/1";

    public const string ManifestEntry = "manifest.json";

    public const string SignatureEntry = "manifest.sig";

    public required string Format { get; init; }

    /// <summary>When the package was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The tool that ran the certification.</summary>
    public required CertifiedTool Tool { get; init; }

    /// <summary>Who: the target's public description (no credential value, ever).</summary>
    public required CertifiedTarget Target { get; init; }

    /// <summary>What and when: the APIs, the selection, the times.</summary>
    public required CertifiedRun Run { get; init; }

    public required CertifiedVerdict Verdict { get; init; }

    public required CertificationSigner Signer { get; init; }

    /// <summary>Every file of the package but the manifest and its signature.</summary>
    public required IReadOnlyList<PackageFile> Files { get; init; }

    /// <summary>Reading is strict about what must be there (a null where the format has none is refused) and lenient about what it does not know (ignored).</summary>
    private static readonly JsonSerializerOptions ReadOptions = new(ResultsJson.Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, ResultsJson.Options);

    /// <summary>Reads a manifest; null (with the reason) when the bytes are not one this tool reads.</summary>
    public static CertificationManifest? Parse(byte[] bytes, out string? problem)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<CertificationManifest>(bytes, ReadOptions);
            problem = manifest is null ? "it holds JSON null"
                : manifest.Format is not { } format || !(format == FormatName || format.StartsWith(FormatName + ".", StringComparison.Ordinal)) ? $"its format '{manifest.Format}' is not {FormatName}"
                : manifest.Tool is null || manifest.Target is null || manifest.Run is null || manifest.Verdict is null || manifest.Signer is null || manifest.Files is null ? "a section is null"
                : NullEntry(manifest) is { } pointer ? $"at {pointer}: null, where the format has a value (the tool never writes one)"
                : null;
            return problem is null ? manifest : null;
        }
        catch (JsonException ex)
        {
            problem = $"not a certification manifest ({ex.Message.Split(". ")[0]}{(ex.Path is { Length: > 0 } path ? $", at {path}" : "")})";
            return null;
        }
    }

    /// <summary>
    /// The pointer of the first null among a list's items or a map's values. The serializer refuses a null property where
    /// the format has none, but not a null item of a list: the report's code would meet it as a value.
    /// </summary>
    private static string? NullEntry(CertificationManifest manifest)
    {
        static string? First<T>(IEnumerable<T?> items, string pointer) =>
            items.Select((item, i) => (item, i)).Where(x => x.item is null).Select(x => $"{pointer}/{x.i}").FirstOrDefault();

        return First(manifest.Files, "/files")
            ?? First(manifest.Target.Credentials, "/target/credentials")
            ?? First(manifest.Target.Faults, "/target/faults")
            ?? manifest.Target.BaseUrls.Where(u => u.Value is null).Select(u => $"/target/baseUrls/{Escape(u.Key)}").FirstOrDefault()
            ?? First(manifest.Run.Apis, "/run/apis")
            ?? First(manifest.Run.Filter, "/run/filter")
            ?? First(manifest.Verdict.NotChecked, "/verdict/notChecked")
            ?? manifest.Verdict.NotChecked.Select((r, i) => First(r.Cases, $"/verdict/notChecked/{i}/cases")).FirstOrDefault(p => p is not null);
    }

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}

/// <summary>The tool's name, version and source revision, and the runtime it ran on (either unknown is left out of the manifest, so optional when read).</summary>
public sealed record CertifiedTool(string Name, string Version, string? Revision = null, string? Runtime = null);

/// <summary>The target's public description.</summary>
public sealed record CertifiedTarget
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    /// <summary>The embedded reference mock (not a provider's deployment).</summary>
    public required bool Embedded { get; init; }

    /// <summary>Each API's base URL, with any secret in it redacted.</summary>
    public required IReadOnlyDictionary<string, string> BaseUrls { get; init; }

    /// <summary>The credentials the run used, by name and where they came from; never their values.</summary>
    public required IReadOnlyList<CredentialUse> Credentials { get; init; }

    /// <summary>The target profile's file in the package (null for an ad-hoc target).</summary>
    public string? ProfileFile { get; init; }

    public IReadOnlyList<string> Faults { get; init; } = [];

    public bool InsecureTls { get; init; }

    public double? RequestsPerMinute { get; init; }

    /// <summary>The profile itself (credentials by variable reference only); in <c>target.json</c>, not in the manifest.</summary>
    public JsonObject? Profile { get; init; }
}

/// <summary>A credential the run sent, by name: for which API, and where it came from (an environment variable's name, the mock's data set...).</summary>
public sealed record CredentialUse(string Api, string Name, string Source, string? Variable = null);

/// <summary>What ran and when.</summary>
public sealed record CertifiedRun
{
    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    public required IReadOnlyList<CertifiedApi> Apis { get; init; }

    /// <summary>The requirement filter (empty: every requirement).</summary>
    public IReadOnlyList<string> Filter { get; init; } = [];

    public required int RequestCount { get; init; }
}

/// <summary>One API of the run: its requirement counts by verdict, and whether the profile overrode its contract.</summary>
public sealed record CertifiedApi(string Id, string Title, bool Overridden, int Requirements, IReadOnlyDictionary<string, int> Counts);

/// <summary>A requirement a certified run did not check in full.</summary>
public sealed record NotCheckedRequirement(string Api, string Id, IReadOnlyList<NotCheckedCase> Cases);

/// <summary>
/// The verdict. <see cref="Outcome"/> is the word a reader shows; <see cref="Conformant"/> stays for readers
/// that know only the two outcomes. New outcomes (such as <c>incomplete</c>) and new properties (such as a
/// completeness record) are added here without changing the format's major version: readers ignore
/// properties they do not know and show an outcome they do not know as it is written.
/// </summary>
public sealed record CertifiedVerdict
{
    public const string ConformantOutcome = "conformant";
    public const string NotConformantOutcome = "not-conformant";
    public const string IncompleteOutcome = "incomplete";

    /// <summary><c>conformant</c>, <c>not-conformant</c>, or <c>incomplete</c> (nothing fails, something was not fully checked).</summary>
    public required string Outcome { get; init; }

    /// <summary>For an incomplete run: each requirement not fully checked, with why and the setting that would let it be.</summary>
    public IReadOnlyList<NotCheckedRequirement> NotChecked { get; init; } = [];

    public required bool Conformant { get; init; }

    /// <summary>Which verdicts besides fail and error made the run not conformant: <c>fail</c> or <c>deviation</c>.</summary>
    public required string FailOn { get; init; }

    /// <summary>The number of requirements.</summary>
    public required int Requirements { get; init; }

    /// <summary>Requirements by verdict (pass, fail, deviation, skipped, error).</summary>
    public required IReadOnlyDictionary<string, int> Counts { get; init; }

    /// <summary>The verdict of a run. The one place a new outcome (incomplete) is decided for the package.</summary>
    public static CertifiedVerdict Of(RunResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return new CertifiedVerdict
        {
            Outcome = results.Outcome switch
            {
                RunOutcome.Conformant => ConformantOutcome,
                RunOutcome.Incomplete => IncompleteOutcome,
                _ => NotConformantOutcome,
            },
            NotChecked = [.. results.NotFullyChecked.Select(r => new NotCheckedRequirement(r.Api, r.Id, r.NotChecked))],
            Conformant = results.Conformant,
            FailOn = results.FailOn,
            Requirements = results.Requirements.Count,
            Counts = results.Counts,
        };
    }
}

/// <summary>Who signed: the algorithm and the SHA-256 of the signer's DER SubjectPublicKeyInfo (hex).</summary>
public sealed record CertificationSigner(string Algorithm, string PublicKeySha256);

/// <summary>A file of the package: its path in the archive, SHA-256 (hex), size in bytes, and what it is.</summary>
public sealed record PackageFile(string Path, string Sha256, long Size, string Kind);

/// <summary>The kinds of package files.</summary>
public static class PackageFileKinds
{
    public const string Report = "report";
    public const string RequestLog = "request-log";
    public const string RunLog = "run-log";
    public const string Contract = "contract";
    public const string TargetProfile = "target-profile";
    public const string EffectiveContract = "effective-contract";
    public const string Target = "target";
}
