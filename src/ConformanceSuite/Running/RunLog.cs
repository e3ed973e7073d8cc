using System.Collections.Concurrent;
using System.Globalization;
using ConformanceSuite.Http;

namespace ConformanceSuite.Running;

/// <summary>
/// The run's own log (<c>conformance.log</c>): what the suite did and, for every case that ended in an
/// error, the exception with its stack trace. Reports carry only the exception's type and message; the
/// stack trace is for whoever debugs the suite. Everything is redacted before it is kept.
/// </summary>
public sealed class RunLog(Redactor redactor)
{
    public const string FileName = "conformance.log";

    private readonly ConcurrentQueue<string> lines = new();

    public void Info(string text) => lines.Enqueue($"{Now()} {redactor.Scrub(text)}");

    /// <summary>Logs an exception with its stack trace; returns the one line a report shows for it.</summary>
    public string Error(string where, Exception ex)
    {
        var shown = Http.ProviderText.Bounded(redactor.Scrub($"{ex.GetType().Name}: {ex.Message}"));
        var logged = new System.Text.StringBuilder();
        Describe(ex, logged);
        lines.Enqueue($"{Now()} ERROR in {where}: {logged}");
        return $"the check threw {shown} (stack trace in {FileName})";
    }

    /// <summary>The most characters of one exception's message the log keeps: a provider's text may be in it.</summary>
    public const int MaxMessageChars = 4000;

    /// <summary>An exception and those inside it, each message scrubbed then bounded, each stack trace whole.</summary>
    private void Describe(Exception ex, System.Text.StringBuilder into)
    {
        into.Append(ex.GetType().FullName).Append(": ").Append(Http.ProviderText.Bounded(redactor.Scrub(ex.Message), MaxMessageChars));
        if (ex.StackTrace is { } trace)
        {
            into.AppendLine().Append(redactor.Scrub(trace));
        }

        foreach (var inner in ex is AggregateException all ? all.InnerExceptions : ex.InnerException is { } one ? [one] : [])
        {
            into.AppendLine().Append(" ---> ");
            Describe(inner, into);
        }
    }

    public IReadOnlyList<string> Lines => lines.ToArray();

    public void Write(string path) => File.WriteAllLines(path, lines);

    private static string Now() => DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
