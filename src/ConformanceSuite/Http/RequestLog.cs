using System.Text.Json;

namespace ConformanceSuite.Http;

/// <summary>
/// Every exchange of a run, already redacted. The first <see cref="HeldExchanges"/> are held whole, and written as
/// JSON lines only when the log is (requests.jsonl). Past that, a run is a large one: the held exchanges, and each
/// one after them as it is settled, go as JSON lines to a temporary file (with no name on disk: <see cref="TemporaryFile"/>), and
/// memory keeps only where each line starts. An exchange written out is read back from the file when it is asked
/// for (<see cref="Read"/>, <see cref="Entries"/>, <see cref="LoggedExchange"/>), whole. So a walk of a large tenant
/// costs a few bytes of memory per request, and a run of ordinary size serializes nothing before its reports.
/// </summary>
public sealed class RequestLog : IDisposable
{
    /// <summary>
    /// How many exchanges are held whole before the log goes to a temporary file, by default: more than an ordinary run
    /// makes (358 for the three APIs on the mock). Held, an exchange costs a few kilobytes: with 2,000 held, the HTTP
    /// layer's walk of 100,000 items on the mock peaked 12.7 MiB above its walk of 10,000 (1,000 requests, none written
    /// out); with 500, 8.0 MiB, and the rest is the runtime's compiled code (with tiered compilation off, the two peaks
    /// were the same).
    /// </summary>
    public const int HeldExchanges = 500;

    private readonly int holdUpTo;

    private readonly Lock gate = new();
    private readonly string folder;

    /// <summary>Where the line of each exchange written out starts in the file, by log index.</summary>
    private readonly List<long> offsets = [];

    /// <summary>The exchanges after the ones written out (all of them, until the log goes to its file).</summary>
    private List<HttpExchange> held = [];
    private FileStream? spilled;
    private bool disposed;

    /// <param name="spillFolder">Where the temporary file goes past the held exchanges (default: the system's temporary folder).</param>
    /// <param name="heldExchanges">How many exchanges are held whole (default <see cref="HeldExchanges"/>).</param>
    public RequestLog(string? spillFolder = null, int heldExchanges = HeldExchanges)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(heldExchanges);
        folder = spillFolder ?? Path.GetTempPath();
        holdUpTo = heldExchanges;
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return offsets.Count + held.Count;
            }
        }
    }

    /// <summary>
    /// The exchanges logged when the enumeration starts, in order, one at a time: a held one as it is, one
    /// written out read back from the file. Nothing is kept between two of them, so a pass over a large log
    /// costs the memory of one exchange.
    /// </summary>
    public IEnumerable<HttpExchange> Entries
    {
        get
        {
            var count = Count;
            for (var i = 0; i < count; i++)
            {
                yield return Read(i);
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
            exchange.Logged(this, offsets.Count + held.Count);
            if (spilled is not null)
            {
                WriteOut(exchange);
            }
            else
            {
                held.Add(exchange);
                if (held.Count > holdUpTo)
                {
                    Spill();
                }
            }
        }

        Recorded?.Invoke(exchange);
    }

    /// <summary>The exchange at <paramref name="index"/> of the log: the one held, or a copy read back from the file (the same JSON the log file has).</summary>
    public HttpExchange Read(int index)
    {
        byte[] line;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            if (index >= offsets.Count)
            {
                return held[index - offsets.Count];
            }

            // Moving in the file writes out what is buffered first: the line read is on disk.
            var file = spilled!;
            var end = file.Position;
            var start = offsets[index];
            // Each line ends in '\n', which the JSON does not need.
            line = new byte[(index + 1 < offsets.Count ? offsets[index + 1] : end) - start - 1];
            file.Position = start;
            file.ReadExactly(line);
            file.Position = end;
        }

        // Parsed outside the lock: the run goes on logging meanwhile.
        var exchange = JsonSerializer.Deserialize<HttpExchange>(line, Running.ResultsJson.Lines)!;
        exchange.Logged(this, index);
        return exchange;
    }

    private void Spill()
    {
        spilled = TemporaryFile.Stream("conformance-requests", folder);
        foreach (var e in held)
        {
            WriteOut(e);
        }

        held = [];
    }

    private void WriteOut(HttpExchange exchange)
    {
        offsets.Add(spilled!.Position);
        WriteLine(spilled, exchange);
    }

    private static void WriteLine(Stream to, HttpExchange exchange)
    {
        // Straight into the stream (through the serializer's pooled buffer), with no array of the line's own.
        JsonSerializer.Serialize(to, exchange, Running.ResultsJson.Lines);
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

/// <summary>
/// An exchange as a walk's page keeps it: by its place in the request log, so that a page does not hold the
/// exchange in memory; <see cref="Exchange"/> gives it back whole (the one held, or read back from the log's
/// file). An exchange that is in no log is kept as it is.
/// </summary>
public readonly struct LoggedExchange
{
    private readonly HttpExchange? unlogged;
    private readonly RequestLog? log;
    private readonly int index;

    public LoggedExchange(HttpExchange exchange)
    {
        if (exchange.Log is { } inLog)
        {
            log = inLog;
            index = exchange.LogIndex;
        }
        else
        {
            unlogged = exchange;
        }
    }

    /// <summary>The entry <paramref name="index"/> of <paramref name="log"/>.</summary>
    internal LoggedExchange(RequestLog log, int index)
    {
        this.log = log;
        this.index = index;
    }

    public HttpExchange Exchange => log?.Read(index) ?? unlogged ?? throw new InvalidOperationException("this LoggedExchange was made from no exchange");

    /// <summary>The log the exchange is in; null when it is in none (then it is held).</summary>
    internal RequestLog? Log => log;

    /// <summary>The exchange's place in <see cref="Log"/>.</summary>
    internal int Index => index;
}
