using System.Collections.Concurrent;
using System.Text.Json;

namespace ConformanceSuite.Http;

/// <summary>
/// Every exchange of a run, already redacted. Each is written in full as one JSON line the moment it is
/// settled (requests.jsonl is a copy of those lines), and only a compact copy of it stays in memory for the
/// checks that judge the traffic as a whole. The lines are held in memory up to <see cref="HeldBytes"/>, and
/// past that in a temporary file that goes when the log is disposed: a walk of a large tenant costs a
/// few hundred bytes of memory per request, not the whole exchange.
/// </summary>
public sealed class RequestLog : IDisposable
{
    /// <summary>How many bytes of JSON lines stay in memory before they go to a temporary file.</summary>
    public const int HeldBytes = 4 * 1024 * 1024;

    private readonly ConcurrentQueue<HttpExchange> entries = new();
    private readonly Lock gate = new();
    private readonly string folder;
    private MemoryStream? held = new();
    private FileStream? spilled;

    /// <param name="spillFolder">Where the temporary file goes once the lines pass <see cref="HeldBytes"/> (default: the system's temporary folder).</param>
    public RequestLog(string? spillFolder = null) => folder = spillFolder ?? Path.GetTempPath();

    public int Count => entries.Count;

    /// <summary>The exchanges so far, each as <see cref="HttpExchange.Compact"/> keeps it.</summary>
    public IReadOnlyList<HttpExchange> Entries => entries.ToArray();

    /// <summary>True once the lines have gone to a temporary file.</summary>
    public bool Spilled => spilled is not null;

    /// <summary>Raised with each exchange, in full, as it is logged.</summary>
    public event Action<HttpExchange>? Recorded;

    public void Add(HttpExchange exchange)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(exchange, Running.ResultsJson.Lines);
        lock (gate)
        {
            var sink = Sink();
            sink.Write(line);
            sink.WriteByte((byte)'\n');
            entries.Enqueue(exchange.Compact());
        }

        Recorded?.Invoke(exchange);
    }

    private Stream Sink()
    {
        ObjectDisposedException.ThrowIf(held is null && spilled is null, this);
        if (spilled is not null)
        {
            return spilled;
        }

        if (held!.Length < HeldBytes)
        {
            return held;
        }

        spilled = new FileStream(Path.Combine(folder, $"conformance-requests-{Guid.NewGuid():N}.jsonl"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
        held.Position = 0;
        held.CopyTo(spilled);
        held.Dispose();
        held = null;
        return spilled;
    }

    /// <summary>Writes every line so far to <paramref name="path"/> (JSON Lines: one exchange per line).</summary>
    public void WriteJsonLines(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var file = File.Create(path);
        lock (gate)
        {
            Stream source = (Stream?)spilled ?? held ?? throw new ObjectDisposedException(nameof(RequestLog));
            source.Flush();
            var end = source.Position;
            source.Position = 0;
            source.CopyTo(file);
            source.Position = end;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            spilled?.Dispose();
            held?.Dispose();
            spilled = null;
            held = null;
        }
    }
}
