using System.Collections.Concurrent;
using System.Text;

namespace ConformanceSuite.Contracts;

/// <summary>
/// The contracts this process has loaded without overrides, so that loading one again (the embedded mock and the
/// engine each load theirs; a test host runs hundreds of certifications) costs a read of its files, not their parsing,
/// validation, binding and cross-check. A contract is taken again only when the schemas folder it was read from is as
/// it was, byte for byte: the key holds every file under that folder, by its path and its SHA-256, the format schemas
/// among them. (A schema's $ref to a file outside that folder is not covered; the contract data has none.) An edited file, a file added or removed, or another folder is another key,
/// loaded afresh. A load that fails is not kept. The check kinds a caller knows (the engine knows its checks; the mock
/// knows none) are not in the key: a kept contract passed every other rule, and is checked against the caller's kinds
/// on each take (<see cref="ContractCrossCheck.CheckKinds"/>).
/// </summary>
/// <remarks>
/// A loaded contract is never changed after its load (its records are read-only, its body schemas load once each,
/// under a lock), so one instance serves every run of the process at once.
/// </remarks>
internal static class LoadedContracts
{
    /// <summary>Past this many, the one used least recently is let go (a process that edits its contracts over and over keeps no more).</summary>
    internal const int MaxKept = 32;

    /// <summary>The most bytes of contract data hashed for a key; a larger schemas folder is not cached.</summary>
    internal const long MaxHashedBytes = 16 << 20;

    private static readonly ConcurrentDictionary<string, Entry> Kept = new(StringComparer.Ordinal);

    /// <summary>The count of uses so far, each entry's last use a value of it: the least recent is the one let go.</summary>
    private static long uses;

    private sealed class Entry(ApiContract contract)
    {
        public ApiContract Contract { get; } = contract;

        public long LastUse;
    }

    /// <summary>How many contracts are kept now.</summary>
    internal static int Count => Kept.Count;

    public static ApiContract GetOrLoad(string file, RepositoryLayout layout, IReadOnlySet<string>? knownCheckKinds, Func<ApiContract> load)
    {
        string? key;
        try
        {
            key = Key(file, layout);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ConfigurationException)
        {
            // A file that went away, cannot be read, or is not a regular file (RepositoryLayout.Sha256 refuses a pipe, which
            // would wait for a writer): the load says what is wrong, if anything.
            key = null;
        }

        if (key is null)
        {
            return load();
        }

        if (Kept.TryGetValue(key, out var kept))
        {
            kept.LastUse = Interlocked.Increment(ref uses);
            if (knownCheckKinds is not null)
            {
                ContractCrossCheck.CheckKinds(kept.Contract, knownCheckKinds);
            }

            return kept.Contract;
        }

        var contract = load();
        while (Kept.Count >= MaxKept && Kept.MinBy(e => e.Value.LastUse) is { Key: { } oldest })
        {
            Kept.TryRemove(oldest, out _);
        }

        // Two loads of one key side by side both load; the first kept is the one both get.
        var entry = Kept.GetOrAdd(key, new Entry(contract));
        entry.LastUse = Interlocked.Increment(ref uses);
        return entry.Contract;
    }

    /// <summary>
    /// The key of a contract file as its data now is; null (not cached) when the file is outside the layout's schemas
    /// folder, whose content is what the key covers.
    /// </summary>
    private static string? Key(string file, RepositoryLayout layout)
    {
        var schemas = Path.GetFullPath(layout.Schemas) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(file);
        if (!full.StartsWith(schemas, StringComparison.Ordinal) || !Directory.Exists(schemas))
        {
            return null;
        }

        // The whole schemas folder: a contract names its files (and its schemas their $refs) relative to its own folder,
        // and the format schemas beside them say what a valid file is. A folder with something other than regular files
        // in it (the hash refuses them), or more than MaxHashedBytes of them, is loaded afresh each time: the load reads
        // only what it names, and judges that.
        var key = new StringBuilder(full).Append('\n');
        long total = 0;
        foreach (var path in Directory.EnumerateFiles(schemas, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if ((total += new FileInfo(path).Length) > MaxHashedBytes)
            {
                return null;
            }

            key.Append(path, schemas.Length, path.Length - schemas.Length).Append('\0').Append(RepositoryLayout.Sha256(path)).Append('\n');
        }

        return key.ToString();
    }
}
