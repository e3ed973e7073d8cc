namespace ConformanceSuite;

/// <summary>Finds the folders the data lives in (<c>schemas/</c>, <c>fixtures/</c>, <c>targets/</c>).</summary>
public sealed class RepositoryLayout
{
    public const string RootVariable = "CONFORMANCE_REPO_ROOT";

    public RepositoryLayout(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string Schemas => Path.Combine(Root, "schemas");

    public string Fixtures => Path.Combine(Root, "fixtures");

    public string Targets => Path.Combine(Root, "targets");

    public string FormatSchema(string name) => Path.Combine(Schemas, "_format", name);

    public string ApiSchemas(string apiId) => Path.Combine(Schemas, apiId);

    public string ApiFixtures(string apiId) => Path.Combine(Fixtures, apiId);

    /// <summary>The git revision of the checkout (from .git, without running git); null outside a checkout.</summary>
    public string? Revision()
    {
        try
        {
            var git = Path.Combine(Root, ".git");
            var head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
            if (!head.StartsWith("ref: ", StringComparison.Ordinal))
            {
                return head[..Math.Min(12, head.Length)];
            }

            var reference = head[5..];
            var loose = Path.Combine(git, reference.Replace('/', Path.DirectorySeparatorChar));
            var sha = File.Exists(loose)
                ? File.ReadAllText(loose).Trim()
                : File.ReadLines(Path.Combine(git, "packed-refs")).FirstOrDefault(l => l.EndsWith(" " + reference, StringComparison.Ordinal))?.Split(' ')[0];
            return sha?[..Math.Min(12, sha.Length)];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
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

    /// <summary>
    /// The repository root: <c>CONFORMANCE_REPO_ROOT</c> if set, else the nearest folder above
    /// <paramref name="start"/> (default: the running assembly) holding <c>schemas/_format</c>.
    /// </summary>
    public static RepositoryLayout Discover(string? start = null)
    {
        var fromEnv = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            if (!Directory.Exists(Path.Combine(fromEnv, "schemas", "_format")))
            {
                throw new ConfigurationException($"{RootVariable}={fromEnv} does not hold schemas/_format.");
            }

            return new RepositoryLayout(fromEnv);
        }

        foreach (var origin in new[] { start, AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = origin is null ? null : new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "schemas", "_format")))
                {
                    return new RepositoryLayout(dir.FullName);
                }
            }
        }

        throw new ConfigurationException(
            $"Cannot find the repository data (a folder with schemas/_format) above {AppContext.BaseDirectory}; set {RootVariable}.");
    }
}
