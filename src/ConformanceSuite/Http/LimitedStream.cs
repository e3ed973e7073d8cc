using System.Diagnostics;

namespace ConformanceSuite.Http;

/// <summary>
/// A read-only view of a response body that enforces a size cap, an idle timeout per read, the request's total
/// deadline (a body dripped a byte at a time never resets that one), and, when asked, a least transfer rate.
/// </summary>
public sealed class LimitedStream : ReadOnlyStream
{
    private readonly Stream inner;
    private readonly long maxBytes;
    private readonly TimeSpan idleTimeout;
    private readonly CancellationToken runToken;
    private readonly CancellationToken deadline;
    private readonly string deadlineText;

    /// <summary>
    /// The run's limit and the deadline, linked once for the stream; its timer is the idle limit, armed during each read
    /// and disarmed after it (a source and a timer a read cost an allocation and a timer-queue entry each, twice or more a
    /// request). Replaced when its timer fired as a read ended.
    /// </summary>
    private CancellationTokenSource? idle;

    /// <summary>Stopwatch ticks spent waiting for the body (in the reads of the stream below, not in the reader's own work).</summary>
    private long waited;

    /// <summary>
    /// The least rate, in bytes per second of waiting, once <see cref="RateGrace"/> of waiting has passed; 0 sets none
    /// (why: <see cref="HttpSettings.MinBytesPerSecond"/>).
    /// </summary>
    public long MinBytesPerSecond { get; init; }

    /// <summary>The waiting allowed before <see cref="MinBytesPerSecond"/> is enforced.</summary>
    public TimeSpan RateGrace { get; init; }

    /// <summary>The profile setting the size cap comes from, named when the cap stops a body.</summary>
    public string CapSetting { get; init; } = "maxBufferedBytes";

    /// <param name="inner">The body as the transport gives it (decompressed).</param>
    /// <param name="maxBytes">The cap on the bytes read.</param>
    /// <param name="idleTimeout">The longest wait for the next bytes.</param>
    /// <param name="deadlineText">How the deadline is named in the error, e.g. "10 s".</param>
    /// <param name="runToken">The run's own limit: its cancellation passes through as cancellation.</param>
    /// <param name="deadline">The request's total deadline (headers and body).</param>
    public LimitedStream(Stream inner, long maxBytes, TimeSpan idleTimeout, string deadlineText, CancellationToken runToken, CancellationToken deadline)
    {
        this.inner = inner;
        this.maxBytes = maxBytes;
        this.idleTimeout = idleTimeout;
        this.runToken = runToken;
        this.deadline = deadline;
        this.deadlineText = deadlineText;
    }

    public long BytesRead { get; private set; }

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = ReadAsync(buffer.AsMemory(offset, count));
        return read.IsCompletedSuccessfully ? read.Result : read.AsTask().GetAwaiter().GetResult();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var limit = idle ??= CancellationTokenSource.CreateLinkedTokenSource(runToken, deadline);
        using var caller = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken) : null;
        limit.CancelAfter(idleTimeout);
        int n;
        var started = Stopwatch.GetTimestamp();
        try
        {
            n = await inner.ReadAsync(buffer, caller?.Token ?? limit.Token);
        }
        catch (OperationCanceledException) when (!runToken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ResponseLimitException(deadline.IsCancellationRequested
                ? $"the response took longer than its deadline of {deadlineText} (headers and body) after {BytesRead} bytes of body"
                : $"the body stalled: no data for {idleTimeout.TotalSeconds:0.#} s (timeouts.idleSeconds) after {BytesRead} bytes") { TimedOut = true };
        }
        finally
        {
            limit.CancelAfter(Timeout.InfiniteTimeSpan);
            waited += Stopwatch.GetTimestamp() - started;
        }

        if (limit.IsCancellationRequested)
        {
            // The idle timer fired as the read ended (or the run's limit or the deadline passed): the next read gets a
            // new source, which starts cancelled in the two latter cases.
            limit.Dispose();
            idle = null;
        }

        BytesRead += n;
        if (BytesRead > maxBytes)
        {
            throw new ResponseLimitException($"the body exceeds the size cap of {maxBytes} bytes ({CapSetting})") { Setting = CapSetting };
        }

        if (n > 0 && MinBytesPerSecond > 0 && Stopwatch.GetElapsedTime(0, waited) is var wait && wait >= RateGrace
            && BytesRead < MinBytesPerSecond * wait.TotalSeconds)
        {
            throw new ResponseLimitException($"the body came too slowly: {BytesRead} bytes in {wait.TotalSeconds:0.#} s of waiting, below {MinBytesPerSecond} bytes per second (timeouts.minBytesPerSecond)") { TimedOut = true };
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            idle?.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A response broke a transport limit (size cap, stalled body).</summary>
public sealed class ResponseLimitException : IOException
{
    /// <summary>For a limit of the suite's own (a size cap): the profile setting that sets it.</summary>
    public string? Setting { get; init; }

    /// <summary>True when a time limit stopped the body (the deadline, or a stall): the suite stopped waiting for it.</summary>
    public bool TimedOut { get; init; }

    public ResponseLimitException(string message) : base(message) { }

    public ResponseLimitException() { }

    public ResponseLimitException(string message, Exception inner) : base(message, inner) { }
}
