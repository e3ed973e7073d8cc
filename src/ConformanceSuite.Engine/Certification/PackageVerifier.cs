using System.IO.Compression;
using System.Security.Cryptography;

namespace ConformanceSuite.Engine.Certification;

/// <summary>What checking a package found.</summary>
/// <param name="PackagePath">The package (full path).</param>
/// <param name="Manifest">The manifest as the package holds it (to be trusted only when <see cref="Verified"/>); null when it is missing or unreadable.</param>
/// <param name="Problems">Everything that does not hold, each naming the file or the key concerned; empty when the package verifies.</param>
/// <param name="FilesChecked">How many listed files were found with the size and SHA-256 the manifest gives.</param>
/// <param name="KeyFingerprint">The fingerprint of the public key the package was checked with.</param>
public sealed record PackageVerification(string PackagePath, CertificationManifest? Manifest, IReadOnlyList<string> Problems, int FilesChecked, string KeyFingerprint)
{
    public bool Verified => Problems.Count == 0;
}

/// <summary>
/// Checks a certification package: the signature over <c>manifest.json</c> with the public key given, that the
/// manifest names that key, that every file it lists is in the archive with its size and SHA-256, and that the
/// archive holds nothing else (nor any name twice). Nothing is extracted; every entry is read in memory up
/// to the size its manifest line allows.
/// </summary>
public static class PackageVerifier
{
    private const long MaxManifestBytes = 16 * 1024 * 1024;
    private const long MaxSignatureBytes = 4096;

    /// <exception cref="ConfigurationException">No such package, or not a zip archive.</exception>
    public static PackageVerification Verify(string path, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ConfigurationException($"the package path '{path}' is not a valid path: {ex.Message}");
        }

        if (!File.Exists(full))
        {
            throw new ConfigurationException(Directory.Exists(full) ? $"{full} is a folder, not a certification package" : $"no such package: {full}");
        }

        InputFile.RequireRegularFile(full, "package");
        ZipArchive? zip = null;
        try
        {
            zip = ZipFile.OpenRead(full);
            _ = zip.Entries.Count; // the central directory is read here, not when the archive opens
        }
        catch (InvalidDataException ex)
        {
            zip?.Dispose();
            throw new ConfigurationException($"{full} is not a zip archive, so not a certification package{(zip is null ? "" : $": its directory cannot be read ({ex.Message})")}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot read the package {full}: {ex.Message}");
        }

        using (zip)
        {
            return Verify(full, zip, publicKey);
        }
    }

    private static PackageVerification Verify(string full, ZipArchive zip, ECDsa publicKey)
    {
        var fingerprint = CertificationKeys.Fingerprint(publicKey);
        var problems = new List<string>();
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var group in zip.Entries.GroupBy(e => e.FullName, StringComparer.Ordinal))
        {
            entries[group.Key] = group.First();
            if (group.Count() > 1)
            {
                problems.Add($"{group.Key}: the archive holds {group.Count()} entries of that name");
            }
        }

        var manifestBytes = Read(entries, CertificationManifest.ManifestEntry, MaxManifestBytes, problems);
        var signature = Read(entries, CertificationManifest.SignatureEntry, MaxSignatureBytes, problems);
        if (manifestBytes is null)
        {
            return new PackageVerification(full, null, problems, 0, fingerprint);
        }

        if (signature is not null && !CertificationKeys.Verify(publicKey, manifestBytes, signature))
        {
            problems.Add($"{CertificationManifest.SignatureEntry}: bad signature: it does not sign {CertificationManifest.ManifestEntry} as the package holds it with the public key given (sha256 {fingerprint})");
        }

        var manifest = CertificationManifest.Parse(manifestBytes, out var unreadable);
        if (manifest is null)
        {
            problems.Add($"{CertificationManifest.ManifestEntry}: {unreadable}");
            return new PackageVerification(full, null, problems, 0, fingerprint);
        }

        if (!string.Equals(manifest.Signer.PublicKeySha256, fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"wrong key: {CertificationManifest.ManifestEntry} names the signer's key sha256 {manifest.Signer.PublicKeySha256}, the public key given is sha256 {fingerprint}");
        }

        if (manifest.Signer.Algorithm != CertificationKeys.Algorithm)
        {
            problems.Add($"{CertificationManifest.ManifestEntry}: the signature algorithm {manifest.Signer.Algorithm} is not {CertificationKeys.Algorithm}");
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        var good = 0;
        foreach (var file in manifest.Files)
        {
            if (file.Path is CertificationManifest.ManifestEntry or CertificationManifest.SignatureEntry)
            {
                problems.Add($"{CertificationManifest.ManifestEntry}: lists {file.Path} among the files it describes");
                continue;
            }

            if (!listed.Add(file.Path))
            {
                problems.Add($"{CertificationManifest.ManifestEntry}: lists {file.Path} more than once");
                continue;
            }

            if (!entries.TryGetValue(file.Path, out var entry))
            {
                problems.Add($"{file.Path}: missing: the manifest lists it and the archive does not hold it");
                continue;
            }

            var (size, sha256, error) = Hash(entry, file.Size);
            if (error is not null)
            {
                problems.Add($"{file.Path}: cannot be read ({error})");
            }
            else if (size != file.Size || !string.Equals(sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{file.Path}: changed: its SHA-256 is {sha256} ({(size > file.Size ? "more than " : "")}{size} bytes), the manifest lists {file.Sha256} ({file.Size} bytes)");
            }
            else
            {
                good++;
            }
        }

        foreach (var name in entries.Keys.Where(n => n is not (CertificationManifest.ManifestEntry or CertificationManifest.SignatureEntry) && !listed.Contains(n)).Order(StringComparer.Ordinal))
        {
            problems.Add($"{name}: extra file: the archive holds it and the manifest does not list it");
        }

        return new PackageVerification(full, manifest, problems, good, fingerprint);
    }

    private static byte[]? Read(Dictionary<string, ZipArchiveEntry> entries, string name, long cap, List<string> problems)
    {
        if (!entries.TryGetValue(name, out var entry))
        {
            problems.Add($"{name}: missing from the archive");
            return null;
        }

        try
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                if (copy.Length + read > cap)
                {
                    problems.Add($"{name}: larger than any {name} the tool writes ({cap} bytes)");
                    return null;
                }

                copy.Write(buffer, 0, read);
            }

            return copy.ToArray();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            problems.Add($"{name}: cannot be read ({ex.Message})");
            return null;
        }
    }

    /// <summary>An entry's size and SHA-256, reading at most one byte past the size the manifest gives (a larger entry is changed, whatever it holds).</summary>
    private static (long Size, string Sha256, string? Error) Hash(ZipArchiveEntry entry, long expectedSize)
    {
        try
        {
            using var stream = entry.Open();
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            long size = 0;
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                size += read;
                if (size > expectedSize)
                {
                    break;
                }
            }

            return (size, Convert.ToHexStringLower(hash.GetHashAndReset()), null);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return (0, "", ex.Message);
        }
    }
}
