using System.Text;
using System.Text.Json.Serialization;

namespace ConformanceSuite.Http;

/// <summary>One request and its response, as evidence: credentials redacted, body kept as an excerpt.</summary>
public sealed class HttpExchange
{
    public required string Method { get; init; }

    public required string Url { get; init; }

    public string Purpose { get; init; } = "";

    /// <summary>The API the request belongs to.</summary>
    public string? Api { get; init; }

    /// <summary><c>pact</c> for Pact verification traffic (relayed through this layer); null for the checks' own requests.</summary>
    public string? Channel { get; init; }

    /// <summary>The pact interaction a Pact request belongs to.</summary>
    public string? Interaction { get; init; }

    /// <summary>When the request was sent (after any rate-limit wait).</summary>
    public DateTimeOffset SentAt { get; init; } = DateTimeOffset.UtcNow;

    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; init; } = [];

    /// <summary>The credential headers actually sent (names only).</summary>
    public IReadOnlyList<string> CredentialsSent { get; init; } = [];

    public int? Status { get; set; }

    /// <summary>The most characters of response headers (names and values) a report keeps of one exchange.</summary>
    public const int MaxReportedHeaderChars = 2000;

    /// <summary>The most characters of one header's name or value a report keeps.</summary>
    public const int MaxReportedHeaderText = 256;

    /// <summary>Every response header, whole (scrubbed): what the checks, redirects and the Pact relay read.</summary>
    [JsonIgnore]
    public Dictionary<string, string> ResponseHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The response headers as reports carry them: names and values cut at <see cref="MaxReportedHeaderText"/>,
    /// in order while they fit in <see cref="MaxReportedHeaderChars"/>, then an entry "…" saying how many were left
    /// out. A provider may send the transport's 64 KiB of headers with every response; no report may grow with that.
    /// </summary>
    [JsonPropertyName("responseHeaders")]
    public IReadOnlyDictionary<string, string> ReportedHeaders
    {
        get
        {
            var kept = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var (chars, taken) = (0, 0);
            foreach (var (name, text) in ResponseHeaders)
            {
                var (shownName, shown) = (ProviderText.Bounded(name, MaxReportedHeaderText), ProviderText.Bounded(text, MaxReportedHeaderText));
                if (chars + shownName.Length + shown.Length > MaxReportedHeaderChars)
                {
                    kept["…"] = $"{ResponseHeaders.Count - taken} more headers, not kept (the report's bound)";
                    break;
                }

                kept[shownName] = shown;
                (chars, taken) = (chars + shownName.Length + shown.Length, taken + 1);
            }

            return kept;
        }

        init
        {
            foreach (var (name, text) in value)
            {
                ResponseHeaders[name] = text;
            }
        }
    }

    [JsonIgnore]
    public string? ContentType => ResponseHeaders.TryGetValue("Content-Type", out var v) ? v : null;

    /// <summary>The Content-Type as reports carry it, cut as <see cref="ReportedHeaders"/> cuts a value.</summary>
    [JsonPropertyName("contentType")]
    public string? ReportedContentType => ContentType is { } type ? ProviderText.Bounded(type, MaxReportedHeaderText) : null;

    /// <summary>The buffered body (JSON calls only); not written to reports.</summary>
    [JsonIgnore]
    public byte[]? Body { get; set; }

    public string BodyExcerpt { get; set; } = "";

    /// <summary>True when the body was streamed to a reader (a download, an export), not read whole as JSON.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Streamed { get; set; }

    public long BodyBytes { get; set; }

    /// <summary>Transport failure (unreachable, timeout, size cap), in words; null when a response arrived.</summary>
    public string? Error { get; set; }

    /// <summary>
    /// True when the suite stopped waiting: no response, or no whole body, before one of its own time limits (the
    /// request's or the download's deadline, or a body that stalled). Whatever the limit, the response did not arrive.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool TimedOut { get; set; }

    /// <summary>When the suite stopped reading at one of its own limits (a size cap): the profile setting that sets it.</summary>
    public string? Limit { get; set; }

    public double DurationMs { get; set; }

    /// <summary>Same-origin redirects followed on the way, as "status url".</summary>
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public List<string> Redirects { get; } = [];

    /// <summary>A redirect to another origin, not followed.</summary>
    public string? BlockedRedirect { get; set; }

    /// <summary>How many earlier attempts of this call got 429 or 503 and were retried.</summary>
    public int Retries { get; set; }

    /// <summary>Why a 429 or 503 was not retried further, when it was not.</summary>
    public string? RetryNote { get; set; }

    [JsonIgnore]
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The request log the exchange is in, once it is logged (see <see cref="LoggedExchange"/>).</summary>
    [JsonIgnore]
    internal RequestLog? Log { get; private set; }

    /// <summary>The exchange's place in its request log (0 for the first request of the run).</summary>
    [JsonIgnore]
    public int LogIndex { get; private set; }

    internal void Logged(RequestLog log, int index)
    {
        Log = log;
        LogIndex = index;
    }

    /// <summary>True when both are the same entry of a request log: one read back from the log's file is another object, but the same exchange.</summary>
    public bool IsSameEntry(HttpExchange other) => ReferenceEquals(this, other) || (Log is not null && ReferenceEquals(Log, other.Log) && LogIndex == other.LogIndex);

    [JsonIgnore]
    public string BodyText => Body is null ? "" : Encoding.UTF8.GetString(Body);

    public string RequestLine => $"{Method} {Url}";

    /// <summary>One paragraph for a failure message.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append(RequestLine);
        if (RequestHeaders.Count > 0)
        {
            sb.Append(" [").Append(string.Join(", ", RequestHeaders.Select(h => $"{h.Key}: {h.Value}"))).Append(']');
        }

        foreach (var hop in Redirects)
        {
            sb.Append(" -> ").Append(hop);
        }

        if (Error is not null)
        {
            sb.Append(" -> no response: ").Append(Error);
            return sb.ToString();
        }

        sb.Append(" -> ").Append(Status);
        if (ContentType is { } ct)
        {
            sb.Append(' ').Append(ct);
        }

        if (Retries > 0)
        {
            sb.Append(" (after ").Append(Retries).Append(Retries == 1 ? " retry" : " retries").Append(')');
        }

        if (RetryNote is not null)
        {
            sb.Append(" (").Append(RetryNote).Append(')');
        }

        if (BlockedRedirect is not null)
        {
            sb.Append(" (Location: ").Append(BlockedRedirect).Append(", another origin: not followed)");
        }

        if (BodyExcerpt.Length > 0)
        {
            sb.Append(" body: ").Append(BodyExcerpt);
        }

        return sb.ToString();
    }
}
