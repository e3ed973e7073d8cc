using System.IO.Compression;

namespace ConformanceSuite.Http;

/// <summary>
/// A response body decoded from its Content-Encoding by the suite itself (gzip, deflate, br), so that both
/// sizes are known: the bytes on the wire and the bytes they decode to. A body that decodes to more than
/// <see cref="HttpSettings.MaxDecompressionRatio"/> times its wire size (past the first mebibyte) is a
/// compression bomb and is stopped there, whatever the size cap.
/// </summary>
internal sealed class Decoding : ReadOnlyStream
{
    private const long FreeBytes = 1024 * 1024;
    private readonly Stream? wire;
    private readonly Func<long> compressedBytes;
    private readonly Stream decoded;
    private readonly double ratio;
    private readonly string what;
    private readonly string unit;

    private Decoding(Stream? wire, Func<long> compressedBytes, Stream decoded, double ratio, string what, string unit)
    {
        this.wire = wire;
        this.compressedBytes = compressedBytes;
        this.decoded = decoded;
        this.ratio = ratio;
        this.what = what;
        this.unit = unit;
    }

    private long decodedBytes;

    /// <summary>The body as its Content-Encoding says to read it; an encoding the suite does not know, or too many of them, is a transport error.</summary>
    public static Decoding Of(Stream raw, string? contentEncoding, double ratio)
    {
        var encodings = (contentEncoding ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var layers = encodings.Count(e => !e.Equals("identity", StringComparison.OrdinalIgnoreCase));
        if (layers > HttpSettings.MaxContentEncodings)
        {
            throw new ResponseLimitException($"the body's Content-Encoding lists {layers:N0} encodings one over the other, more than the {HttpSettings.MaxContentEncodings} the suite undoes (a chain of them is a decompression bomb)");
        }

        var wire = new CountingStream(raw, ownsInner: true);
        Stream decoded = wire;
        // Encodings apply in the order listed, so they are undone from the last.
        foreach (var encoding in encodings.Reverse())
        {
            decoded = encoding.ToLowerInvariant() switch
            {
                "gzip" or "x-gzip" => new GZipStream(decoded, CompressionMode.Decompress),
                "deflate" => new ZLibStream(decoded, CompressionMode.Decompress),
                "br" => new BrotliStream(decoded, CompressionMode.Decompress),
                "identity" => decoded,
                _ => throw new ResponseLimitException($"the body's Content-Encoding '{encoding}' is not one the suite can read (gzip, deflate, br)"),
            };
        }

        return new Decoding(wire, () => wire.Count, decoded, ratio, "the body", "bytes on the wire");
    }

    /// <summary>
    /// A stream another reader decompresses (a zip entry's), stopped the same way when it decodes to more than
    /// <paramref name="ratio"/> times its <paramref name="compressedBytes"/>; <paramref name="what"/> names it.
    /// </summary>
    public static Decoding OfDecompressed(Stream decompressed, long compressedBytes, double ratio, string what) =>
        new(null, () => compressedBytes, decompressed, ratio, what, "compressed bytes");

    public override int Read(byte[] buffer, int offset, int count) => Check(decoded.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Check(await decoded.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Check(int n)
    {
        decodedBytes += n;
        if (decodedBytes > FreeBytes && decodedBytes > ratio * Math.Max(1, compressedBytes()))
        {
            throw new ResponseLimitException($"{what} decodes to more than {ratio:0} times its {compressedBytes()} {unit} (a compression bomb?) (maxDecompressionRatio)")
            {
                Setting = "maxDecompressionRatio",
            };
        }

        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            decoded.Dispose();
            wire?.Dispose();
        }

        base.Dispose(disposing);
    }
}
