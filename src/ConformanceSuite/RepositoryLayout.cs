namespace ConformanceSuite;

/// <summary>Finds the folders the data lives in (<c>schemas/</c>, <c>fixtures/</c>, <c>targets/</c>, <c>pacts/</c>).</summary>
public sealed class RepositoryLayout
{
    /// <summary>The file, at the root of the contract data, that lists the SHA-256 of every data file validated when the tool was packed.</summary>
    public const string ManifestFile = "validated.sha256";

    private readonly Lazy<IReadOnlyDictionary<string, string>> validated;

    /// <param name="root">The folder holding schemas/, fixtures/, targets/, pacts/.</param>
    /// <param name="trustManifest">Whether files listed in <see cref="ManifestFile"/> with the same bytes may skip their format validation.</param>
    public RepositoryLayout(string root, bool trustManifest = true)
    {
        Root = Path.GetFullPath(root);
        validated = new(() => trustManifest ? ReadManifest(Path.Combine(Root, ManifestFile)) : new Dictionary<string, string>());
    }

    /// <summary>
    /// Whether every file given has exactly the bytes the manifest lists for it, so its validation against its
    /// format schema (which must also be unchanged) was already done when the tool was packed. Any other
    /// bytes, or no manifest (a checkout, an edited copy), are validated as usual.
    /// </summary>
    public bool IsValidated(params string[] files)
    {
        if (validated.Value.Count == 0)
        {
            return false;
        }

        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(Root, Path.GetFullPath(file)).Replace(Path.DirectorySeparatorChar, '/');
            if (!validated.Value.TryGetValue(relative, out var expected) || !File.Exists(file) || Sha256(file) != expected)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A file's SHA-256, as lowercase hex.</summary>
    public static string Sha256(string file)
    {
        InputFile.RequireRegularFile(file, "contract file");
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>Writes the manifest (sha256sum's format: hash, two spaces, path) for files already validated.</summary>
    public void WriteManifest(IEnumerable<string> files) =>
        File.WriteAllLines(Path.Combine(Root, ManifestFile), files
            .Select(f => Path.GetFullPath(f))
            .Distinct(StringComparer.Ordinal)
            .Select(f => $"{Sha256(f)}  {Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/')}")
            .Order(StringComparer.Ordinal));

    private static Dictionary<string, string> ReadManifest(string path) =>
        File.Exists(path)
            ? InputFile.ReadAllText(path, "contracts' manifest").Split('\n').Select(l => l.TrimEnd('\r'))
                .Select(l => l.Split("  ", 2))
                .Where(p => p.Length == 2 && p[0].Length == 64)
                .ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal)
            : [];

    public string Root { get; }

    public string Schemas => Path.Combine(Root, "schemas");

    public string Fixtures => Path.Combine(Root, "fixtures");

    public string Targets => Path.Combine(Root, "targets");

    /// <summary>The consumer pacts the run verifies against the target.</summary>
    public string Pacts => Path.Combine(Root, "pacts");

    public string FormatSchema(string name) => Path.Combine(Schemas, "_format", name);

    public string ApiSchemas(string apiId) => Path.Combine(Schemas, apiId);

    public string ApiFixtures(string apiId) => Path.Combine(Fixtures, apiId);

    /// <summary>The git revision of the checkout (from .git, without running git); null outside a checkout.</summary>
    public string? Revision()
    {
        try
        {
            var git = Path.Combine(Root, ".git");
            // Read as a contract file is: a pipe or a device there is no revision, not a run waiting on it.
            var head = InputFile.ReadAllText(Path.Combine(git, "HEAD"), "git file").Trim();
            if (!head.StartsWith("ref: ", StringComparison.Ordinal))
            {
                return head[..Math.Min(12, head.Length)];
            }

            var reference = head[5..];
            var loose = Path.Combine(git, reference.Replace('/', Path.DirectorySeparatorChar));
            var sha = File.Exists(loose)
                ? InputFile.ReadAllText(loose, "git file").Trim()
                : InputFile.ReadAllText(Path.Combine(git, "packed-refs"), "git file").Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.EndsWith(" " + reference, StringComparison.Ordinal))?.Split(' ')[0];
            return sha?[..Math.Min(12, sha.Length)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ConfigurationException)
        {
            return null;
        }
    }

    /// <summary>The API ids that have a contract under <c>schemas/</c>.</summary>
    public IReadOnlyList<string> ApiIds() =>
        Directory.EnumerateDirectories(Schemas)
            .Where(d => File.Exists(Path.Combine(d, "contract.json")))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The folder name of the contract data that ships inside the .NET tool, next to its assembly.</summary>
    public const string BundledFolder = "contracts";

    /// <summary>
    /// The contract data: <paramref name="explicitRoot"/> when given (it must hold <c>schemas/_format</c>);
    /// else the copy bundled with the tool (<c>contracts/</c> next to the assembly); else the nearest folder
    /// above the assembly, then above the current directory, that holds <c>schemas/_format</c> (a checkout).
    /// Reads no environment variable: front ends decide what to pass.
    /// </summary>
    public static RepositoryLayout Discover(string? explicitRoot = null)
    {
        if (explicitRoot is not null)
        {
            if (string.IsNullOrWhiteSpace(explicitRoot))
            {
                throw new ConfigurationException("the contracts folder is empty: give a folder that holds schemas/_format, or leave it out for the copy shipped with the tool");
            }

            var full = Path.GetFullPath(explicitRoot);
            return Directory.Exists(Path.Combine(full, "schemas", "_format"))
                ? new RepositoryLayout(full)
                : File.Exists(full)
                    ? throw new ConfigurationException($"the contracts folder {full} is a file, not a folder: give the folder that holds schemas/_format (unpack an archive first)")
                    : throw new ConfigurationException($"the contracts folder {full} does not hold schemas/_format");
        }

        var bundled = Path.Combine(AppContext.BaseDirectory, BundledFolder);
        if (Directory.Exists(Path.Combine(bundled, "schemas", "_format")))
        {
            return new RepositoryLayout(bundled);
        }

        foreach (var origin in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "schemas", "_format")))
                {
                    return new RepositoryLayout(dir.FullName);
                }
            }
        }

        throw new ConfigurationException(
            $"cannot find the contract data (a folder with schemas/_format) with the tool or above {AppContext.BaseDirectory}; give --contracts DIR");
    }
}
