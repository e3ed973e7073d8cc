namespace ConformanceSuite.Http;

/// <summary>Counts the bytes read through it; its position is that count.</summary>
/// <param name="inner">The stream read.</param>
/// <param name="ownsInner">True to dispose <paramref name="inner"/> with it.</param>
internal sealed class CountingStream(Stream inner, bool ownsInner) : ReadOnlyStream
{
    public long Count { get; private set; }

    public override long Position { get => Count; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        Count += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Count += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsInner)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
