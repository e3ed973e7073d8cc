namespace ConformanceSuite.Http;

/// <summary>A read-only view of a response body that enforces a size cap and an idle timeout per read.</summary>
public sealed class LimitedStream : ReadOnlyStream
{
    private readonly Stream inner;
    private readonly long maxBytes;
    private readonly TimeSpan idleTimeout;
    private readonly CancellationToken runToken;

    public LimitedStream(Stream inner, long maxBytes, TimeSpan idleTimeout, CancellationToken runToken)
    {
        this.inner = inner;
        this.maxBytes = maxBytes;
        this.idleTimeout = idleTimeout;
        this.runToken = runToken;
    }

    public long BytesRead { get; private set; }

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(runToken, cancellationToken);
        cts.CancelAfter(idleTimeout);
        int n;
        try
        {
            n = await inner.ReadAsync(buffer, cts.Token);
        }
        catch (OperationCanceledException) when (!runToken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ResponseLimitException($"the body stalled: no data for {idleTimeout.TotalSeconds:0.#} s after {BytesRead} bytes");
        }

        BytesRead += n;
        if (BytesRead > maxBytes)
        {
            throw new ResponseLimitException($"the body exceeds the size cap of {maxBytes} bytes");
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
        }

        base.Dispose(disposing);
    }
}

/// <summary>A response broke a transport limit (size cap, stalled body).</summary>
public sealed class ResponseLimitException : IOException
{
    public ResponseLimitException(string message) : base(message) { }

    public ResponseLimitException() { }

    public ResponseLimitException(string message, Exception inner) : base(message, inner) { }
}
