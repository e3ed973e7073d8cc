using System.Text.Json;

namespace ConformanceSuite.Http;

/// <summary>
/// Every exchange of a run, already redacted. The first <see cref="HeldExchanges"/> are held whole, and written as
/// JSON lines only when the log is (requests.jsonl). Past that, a run is a large one: the held exchanges, and each
/// one after them as it is settled, go as JSON lines to a temporary file (removed when the log is disposed), and
/// only a compact copy of each stays in memory for the checks that judge the traffic as a whole. So a walk of a
/// large tenant costs a few hundred bytes of memory per request, and a run of ordinary size serializes nothing
/// before its reports.
/// </summary>
public sealed class RequestLog : IDisposable
{
    /// <summary>How many exchanges are held whole before the log goes to a temporary file.</summary>
    public const int HeldExchanges = 2000;

    private readonly Lock gate = new();
    private readonly string folder;
    private readonly List<HttpExchange> compact = [];
    private List<HttpExchange> held = [];
    private FileStream? spilled;
    private bool disposed;

    /// <param name="spillFolder">Where the temporary file goes past <see cref="HeldExchanges"/> (default: the system's temporary folder).</param>
    public RequestLog(string? spillFolder = null) => folder = spillFolder ?? Path.GetTempPath();

    public int Count
    {
        get
        {
            lock (gate)
            {
                return compact.Count + held.Count;
            }
        }
    }

    /// <summary>The exchanges so far, in order: whole while they are held, as <see cref="HttpExchange.Compact"/> keeps them once written out.</summary>
    public IReadOnlyList<HttpExchange> Entries
    {
        get
        {
            lock (gate)
            {
                return [.. compact, .. held];
            }
        }
    }

    /// <summary>True once the exchanges have gone to a temporary file.</summary>
    public bool Spilled => spilled is not null;

    /// <summary>Raised with each exchange, in full, as it is logged.</summary>
    public event Action<HttpExchange>? Recorded;

    public void Add(HttpExchange exchange)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (spilled is not null)
            {
                WriteLine(spilled, exchange);
                compact.Add(KeepCompact(exchange));
            }
            else
            {
                held.Add(exchange);
                if (held.Count > HeldExchanges)
                {
                    Spill();
                }
            }
        }

        Recorded?.Invoke(exchange);
    }

    private void Spill()
    {
        spilled = new FileStream(Path.Combine(folder, $"conformance-requests-{Guid.NewGuid():N}.jsonl"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
        foreach (var e in held)
        {
            WriteLine(spilled, e);
            compact.Add(KeepCompact(e));
        }

        held = [];
    }

    /// <summary>The compact copy the log keeps of <paramref name="exchange"/>, recorded on it as what it is kept as.</summary>
    private static HttpExchange KeepCompact(HttpExchange exchange)
    {
        var copy = exchange.Compact();
        exchange.KeptAs(copy);
        return copy;
    }

    private static void WriteLine(Stream to, HttpExchange exchange)
    {
        to.Write(JsonSerializer.SerializeToUtf8Bytes(exchange, Running.ResultsJson.Lines));
        to.WriteByte((byte)'\n');
    }

    /// <summary>Writes every exchange so far to <paramref name="path"/> (JSON Lines: one exchange per line).</summary>
    public void WriteJsonLines(string path)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var file = File.Create(path);
            if (spilled is not null)
            {
                spilled.Flush();
                var end = spilled.Position;
                spilled.Position = 0;
                spilled.CopyTo(file);
                spilled.Position = end;
            }

            foreach (var e in held)
            {
                WriteLine(file, e);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            spilled?.Dispose();
            spilled = null;
        }
    }
}
