using System.IO.Compression;
using System.Security.Cryptography;
using ConformanceSuite.Running;

namespace ConformanceSuite.Engine.Certification;

/// <summary>
/// Writes a certification package: one zip holding the run's reports and request log, the contract files in
/// force, the target's public description, <c>manifest.json</c> (every other file with its SHA-256 and size,
/// and the who/what/when/verdict summary) and <c>manifest.sig</c> (the signature over the manifest's bytes).
/// </summary>
public static class CertificationPackage
{
    /// <summary>Writes the package of a finished run to <paramref name="output"/> (left open) and returns its manifest.</summary>
    public static CertificationManifest Write(Stream output, RunPlan plan, RunResults results, ECDsa signingKey)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(signingKey);
        var sources = CertificationContents.Collect(plan, results, out var target);
        var files = new List<PackageFile>(sources.Count);
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        // Each file is hashed as it is copied in, so the manifest describes exactly the bytes the archive holds.
        foreach (var source in sources)
        {
            using var input = source.Open();
            files.Add(Add(zip, source.Path, source.Kind, input, results.FinishedAt));
        }

        var manifest = new CertificationManifest
        {
            Format = CertificationManifest.FormatName,
            CreatedAt = DateTimeOffset.UtcNow,
            Tool = new CertifiedTool(results.Tool.Name, results.Tool.Version, results.Tool.Revision, results.Tool.Runtime),
            Target = target with { Profile = null },
            Run = new CertifiedRun
            {
                StartedAt = results.StartedAt,
                FinishedAt = results.FinishedAt,
                Apis = results.Apis.Select(a =>
                {
                    var requirements = results.Requirements.Where(r => r.Api == a.Id).ToList();
                    return new CertifiedApi(a.Id, a.Title, a.Overridden, requirements.Count,
                        results.Counts.Keys.ToDictionary(v => v, v => requirements.Count(r => r.Verdict.ToString().Equals(v, StringComparison.OrdinalIgnoreCase)), StringComparer.Ordinal));
                }).ToList(),
                Filter = plan.Settings.Filter,
                RequestCount = results.RequestCount,
            },
            Verdict = CertifiedVerdict.Of(results),
            Signer = new CertificationSigner(CertificationKeys.Algorithm, CertificationKeys.Fingerprint(signingKey)),
            Files = files,
        };
        var bytes = manifest.ToBytes();
        using (var stream = new MemoryStream(bytes, writable: false))
        {
            Add(zip, CertificationManifest.ManifestEntry, "", stream, results.FinishedAt);
        }

        using (var stream = new MemoryStream(CertificationKeys.Sign(signingKey, bytes), writable: false))
        {
            Add(zip, CertificationManifest.SignatureEntry, "", stream, results.FinishedAt);
        }

        return manifest;
    }

    private static PackageFile Add(ZipArchive zip, string path, string kind, Stream input, DateTimeOffset time)
    {
        var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
        entry.LastWriteTime = time;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var output = entry.Open();
        var buffer = new byte[81920];
        long size = 0;
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            output.Write(buffer, 0, read);
            size += read;
        }

        return new PackageFile(path, Convert.ToHexStringLower(hash.GetHashAndReset()), size, kind);
    }
}
