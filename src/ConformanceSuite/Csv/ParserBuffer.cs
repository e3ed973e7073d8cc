using System.Runtime.CompilerServices;
using CsvHelper;

namespace ConformanceSuite.Csv;

/// <summary>
/// The record CsvHelper's parser has just read, as a view of the parser's own buffer: the very characters
/// <see cref="CsvParser.RawRecord"/> returns (which CsvHelper 33 makes as <c>new string(buffer, rowStartPosition,
/// bufferPosition - rowStartPosition)</c>), without a string made for every row. The view is valid until the
/// parser reads on. It reads three private fields of the parser (CsvHelper's version is pinned): a version that
/// renames them fails every CSV test at once (MissingFieldException), and CsvAnalyzerTests hold the rows read
/// through the view to the parser's own fields, across buffer refills, a record longer than the buffer and
/// every line ending.
/// </summary>
internal static class ParserBuffer
{
    /// <summary>The text of the current record, line ending included, as <see cref="CsvParser.RawRecord"/> gives it.</summary>
    public static ReadOnlySpan<char> RawRecord(CsvParser parser)
    {
        var start = RowStart(parser);
        return Buffer(parser).AsSpan(start, Position(parser) - start);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "buffer")]
    private static extern ref char[] Buffer(CsvParser parser);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "rowStartPosition")]
    private static extern ref int RowStart(CsvParser parser);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "bufferPosition")]
    private static extern ref int Position(CsvParser parser);
}
