namespace ConformanceSuite.Http;

/// <summary>Limits of the HTTP layer; defaults suit a live provider, tests shorten them.</summary>
public sealed record HttpSettings
{
    /// <summary>
    /// The most encodings one body's Content-Encoding may list, one over the other (identity aside). Each one undone
    /// holds a decoder and its window: a provider listing ten thousand gzips over a body gzipped as often (485 KB, in
    /// a 60,000 character header) made the decoding take 1 GB and six seconds for 16 bytes. No server applies more
    /// than two; curl stops at five too. Past it, the body is not read (a transport error).
    /// </summary>
    public const int MaxContentEncodings = 5;

    /// <summary>A request's total deadline: headers and the whole body.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A download's total deadline (a CSV streamed and checked whatever its size).</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>The longest wait for the next bytes of a body; null means half of <see cref="RequestTimeout"/>.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>The idle timeout in force.</summary>
    public TimeSpan Idle => IdleTimeout is { } idle ? (idle < RequestTimeout ? idle : RequestTimeout) : RequestTimeout / 2;

    /// <summary>
    /// The least rate at which a body (a response's or a download's) must come, in bytes per second of waiting for it,
    /// once the waiting has passed the idle limit (<see cref="Idle"/>); 0 sets none. Without it, a body dripped a byte
    /// at a time, each gap under the idle limit, holds its request for its whole deadline. 1 KiB/s is far below any
    /// provider's real rate, so only a drip is stopped.
    /// </summary>
    public long MinBytesPerSecond { get; init; } = 1024;

    /// <summary>A body that decodes to more than this many times its size on the wire is a compression bomb, stopped there.</summary>
    public double MaxDecompressionRatio { get; init; } = 100;

    /// <summary>The least <see cref="MaxDecompressionRatio"/> a profile may set (target.schema.json's minimum): below it, plain text stops.</summary>
    public const double LeastDecompressionRatio = 2;

    /// <summary>
    /// The most <see cref="MaxDecompressionRatio"/> a profile may set (target.schema.json's maximum). Deflate (gzip, zip)
    /// cannot pass about 1,032 times; real data under br stays far below 100,000. Past it the bound stops nothing a
    /// provider's body needs and lets a bomb through: 1e308 was taken, and no body was ever stopped.
    /// </summary>
    public const double MostDecompressionRatio = 100_000;

    /// <summary>Bodies of buffered (JSON) calls are capped lower than streamed downloads.</summary>
    public long MaxBufferedBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>
    /// The cap on a download written to a temporary file to be read out of order (a zip: its directory is at the
    /// end). A streamed CSV needs no such cap; a file on disk does, or a fast provider fills the disk in the time allowed.
    /// </summary>
    public long MaxArchiveBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// The most bytes of a CSV's rows kept on disk for an exact comparison (the subset check sorts and merges them
    /// there). A CSV is streamed whatever its size, but its rows are kept: without a cap, a provider that streams
    /// rows as fast as they are read (200 MB/s here) would fill the disk in the download's time (300 s). Past it the
    /// rows are no longer kept, and the comparison falls back to row counts, naming this setting.
    /// </summary>
    public long MaxSpillBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// The longest URL sent, in characters. RFC 9110 recommends that every sender and recipient take at least 8,000
    /// octets; a cursor that makes a URL longer than this is not followed (the request is not sent, and what rests on
    /// it is not checked, naming this setting), so no log or report carries megabytes of one.
    /// </summary>
    public int MaxUrlChars { get; init; } = 16 * 1024;

    public int MaxRedirects { get; init; } = 5;

    public int ExcerptChars { get; init; } = 400;

    /// <summary>The target's rate limit; null sends as fast as the checks ask.</summary>
    public double? RequestsPerMinute { get; init; }

    /// <summary>How many times a 429 or 503 is retried (each attempt is logged).</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>The longest wait a Retry-After may ask for; a longer one is not waited for.</summary>
    public TimeSpan MaxRetryWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The time between two requests under the target's rate limit (paced at <see cref="ConformanceHttpClient.PacingFactor"/> of it); null without one.</summary>
    public TimeSpan? PacingInterval => RequestsPerMinute is { } perMinute ? TimeSpan.FromMinutes(1 / (perMinute * ConformanceHttpClient.PacingFactor)) : null;

    /// <summary>
    /// The longest one buffered call may take, its retries included: each attempt waits its turn under the rate limit
    /// and runs to its deadline, and each retry waits at most <see cref="MaxRetryWait"/>. Redirects followed within
    /// an attempt share its deadline.
    /// </summary>
    public TimeSpan LongestBufferedCall => (RequestTimeout + (PacingInterval ?? TimeSpan.Zero)) * (MaxRetries + 1) + MaxRetryWait * MaxRetries;

    /// <summary>
    /// The longest a pattern of the contract (a schema's <c>pattern</c>, a CSV column's rule) may take on one value the
    /// provider sent. A pattern that backtracks takes minutes on 30-odd characters; past this, the value is not judged
    /// and the report says so (<c>timeouts.patternSeconds</c>).
    /// </summary>
    public TimeSpan PatternTimeout { get; init; } = Contracts.PatternBound.DefaultLimit;

    /// <summary>A response slower than this is reported (a deviation naming it), even when it did not time out.</summary>
    public TimeSpan LatencyWarn { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>TLS certificate validation off. Never the default; every report says when it was on.</summary>
    public bool InsecureTls { get; init; }

    /// <summary>
    /// Every address is open to a link a provider chooses (see <see cref="AddressPolicy"/>): for a target whose
    /// downloads live on an internal network its API is not on.
    /// </summary>
    public bool AllowPrivateAddresses { get; init; }

    /// <summary>
    /// The proxy every request goes through; null for the system's (<c>HTTP_PROXY</c>, <c>HTTPS_PROXY</c>,
    /// <c>NO_PROXY</c>). The address policy holds through a proxy too.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public System.Net.IWebProxy? Proxy { get; init; }
}
