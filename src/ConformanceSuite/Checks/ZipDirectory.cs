using System.Buffers.Binary;

namespace ConformanceSuite.Checks;

/// <summary>
/// What a zip's end record says of its central directory: how many entries, and how many bytes they take. Read
/// before the archive is opened, because opening it builds an object for every entry the directory holds: a zip of
/// a few hundred megabytes can hold millions of them.
/// </summary>
internal readonly record struct ZipDirectory(long Entries, long Bytes)
{
    /// <summary>The most bytes a directory the suite opens may take: one entry's header is at most about 196 KiB.</summary>
    public const long MaxBytes = 1024 * 1024;

    /// <summary>The most entries the suite reads the names of, to say which ones a zip holds.</summary>
    public const long MaxEntries = 100;

    private const int EndRecord = 22;

    private static long Count(ReadOnlySpan<byte> field) => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(field), long.MaxValue);
    private const int Zip64Locator = 20;

    /// <summary>The directory <paramref name="zip"/>'s end record describes; null when there is no end record (not a zip).</summary>
    public static ZipDirectory? Of(Stream zip)
    {
        // The end record is the last 22 bytes, followed by a comment of at most 65,535.
        var tail = new byte[(int)Math.Min(zip.Length, EndRecord + ushort.MaxValue)];
        zip.Seek(-tail.Length, SeekOrigin.End);
        zip.ReadExactly(tail);
        zip.Position = 0;
        for (var at = tail.Length - EndRecord; at >= 0; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at)) != 0x06054b50)
            {
                continue;
            }

            var entries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 10));
            var bytes = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at + 12));
            if ((entries == ushort.MaxValue || bytes == uint.MaxValue) && Zip64(zip, tail.Length - at) is { } large)
            {
                return large;
            }

            return new ZipDirectory(entries, bytes);
        }

        return null;
    }

    /// <summary>The zip64 end record, found through its locator just before the end record (<paramref name="fromEnd"/> bytes from the end).</summary>
    private static ZipDirectory? Zip64(Stream zip, long fromEnd)
    {
        if (zip.Length < fromEnd + Zip64Locator)
        {
            return null;
        }

        var locator = new byte[Zip64Locator];
        zip.Seek(-(fromEnd + Zip64Locator), SeekOrigin.End);
        zip.ReadExactly(locator);
        var record = BinaryPrimitives.ReadInt64LittleEndian(locator.AsSpan(8));
        if (BinaryPrimitives.ReadUInt32LittleEndian(locator) != 0x07064b50 || record < 0 || record > zip.Length - 56)
        {
            zip.Position = 0;
            return null;
        }

        var end = new byte[56];
        zip.Position = record;
        zip.ReadExactly(end);
        zip.Position = 0;
        return BinaryPrimitives.ReadUInt32LittleEndian(end) != 0x06064b50 ? null
            : new ZipDirectory(Count(end.AsSpan(32)), Count(end.AsSpan(40)));
    }
}
