using System.Collections.Concurrent;
using System.Text.Json;

namespace ConformanceSuite.Http;

/// <summary>Every exchange of a run, already redacted; written as JSON Lines (one object per line) at the end.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<HttpExchange> entries = new();

    public int Count => entries.Count;

    public IReadOnlyList<HttpExchange> Entries => entries.ToArray();

    public event Action<HttpExchange>? Recorded;

    public void Add(HttpExchange exchange)
    {
        entries.Enqueue(exchange);
        Recorded?.Invoke(exchange);
    }

    public void WriteJsonLines(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new StreamWriter(path);
        foreach (var e in entries)
        {
            writer.WriteLine(JsonSerializer.Serialize(e, Running.ResultsJson.Lines));
        }
    }
}
