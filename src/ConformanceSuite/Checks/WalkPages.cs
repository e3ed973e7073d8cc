using System.Collections;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>
/// The pages of a walk, in walk order, in memory that does not grow with the walk: a page is held while it is in
/// processing (its schema violations are not known yet), then kept in a <see cref="SpilledList{T}"/>, so past the
/// first <see cref="HeldPages"/> it is in a temporary file. A page's exchange is kept by its place in the request log
/// (<see cref="LoggedExchange"/>), as in memory.
/// </summary>
public sealed class WalkPages : IReadOnlyList<WalkPage>, IDisposable
{
    /// <summary>How many processed pages are held in memory before the rest go to a temporary file (a page held takes a few hundred bytes).</summary>
    public const int HeldPages = 256;

    private readonly Lock gate = new();
    private readonly Kept processed;

    /// <summary>The pages added and not yet processed, oldest first (a walk has at most <see cref="ListWalk.ProcessingDepth"/> and the one it reads).</summary>
    private readonly List<WalkPage> inProcessing = [];

    /// <param name="heldPages">How many processed pages are held before the file is used (<see cref="HeldPages"/>; tests use fewer).</param>
    public WalkPages(int heldPages = HeldPages) => processed = new Kept(heldPages);

    public int Count
    {
        get
        {
            lock (gate)
            {
                return processed.Count + inProcessing.Count;
            }
        }
    }

    /// <summary>True once pages have gone to the temporary file.</summary>
    public bool Spilled => processed.Spilled;

    public WalkPage this[int index]
    {
        get
        {
            lock (gate)
            {
                var done = processed.Count;
                return index < done ? processed[index] : inProcessing[index - done];
            }
        }
    }

    /// <summary>Adds the page the walk has just read; it is held until <see cref="Processed"/> says it is done.</summary>
    public void Add(WalkPage page)
    {
        lock (gate)
        {
            inProcessing.Add(page);
        }
    }

    /// <summary>The page's processing is done (pages are processed in walk order): it is kept as it now is.</summary>
    public void Processed(WalkPage page)
    {
        lock (gate)
        {
            if (inProcessing.Count == 0 || !ReferenceEquals(inProcessing[0], page))
            {
                throw new InvalidOperationException($"page {page.Number} was processed out of walk order");
            }

            inProcessing.RemoveAt(0);
            processed.Add(page);
        }
    }

    /// <summary>The pages there are when the enumeration starts: those written out are read back a chunk at a time.</summary>
    public IEnumerator<WalkPage> GetEnumerator()
    {
        int done;
        WalkPage[] rest;
        lock (gate)
        {
            done = processed.Count;
            rest = [.. inProcessing];
        }

        return processed.Take(done).Concat(rest).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose() => processed.Dispose();

    /// <summary>The processed pages. A page whose exchange is in no request log, or in another log than the walk's first page's, keeps it in memory.</summary>
    private sealed class Kept(int held) : SpilledList<WalkPage>(held, "conformance-walk-pages")
    {
        private RequestLog? log;
        private readonly Dictionary<int, LoggedExchange> elsewhere = [];

        protected override void Write(BinaryWriter writer, WalkPage page)
        {
            log ??= page.Source.Log;
            writer.Write7BitEncodedInt(page.Number);
            WriteText(writer, page.Cursor);
            var inLog = page.Source.Log is { } own && ReferenceEquals(own, log);
            writer.Write7BitEncodedInt(inLog ? page.Source.Index + 1 : 0);
            if (!inLog)
            {
                elsewhere[page.Number] = page.Source;
            }

            writer.Write7BitEncodedInt(page.Count);
            WriteText(writer, page.FirstId);
            writer.Write(page.IdsHash);
            WriteText(writer, page.Next);
            writer.Write(page.NextPresent);
            writer.Write(page.Total.HasValue);
            writer.Write(page.Total ?? 0);
            writer.Write7BitEncodedInt(page.Violations.Count);
            foreach (var v in page.Violations)
            {
                writer.Write(v.Pointer);
                writer.Write(v.Reason);
                writer.Write(v.Kind);
            }
        }

        protected override WalkPage Read(BinaryReader reader)
        {
            var number = reader.Read7BitEncodedInt();
            var cursor = ReadText(reader);
            var place = reader.Read7BitEncodedInt();
            var source = place == 0 ? elsewhere[number] : new LoggedExchange(log!, place - 1);
            var count = reader.Read7BitEncodedInt();
            var firstId = ReadText(reader);
            var idsHash = reader.ReadUInt64();
            var next = ReadText(reader);
            var nextPresent = reader.ReadBoolean();
            var hasTotal = reader.ReadBoolean();
            var total = reader.ReadInt64();
            var violations = new SchemaViolation[reader.Read7BitEncodedInt()];
            for (var i = 0; i < violations.Length; i++)
            {
                violations[i] = new SchemaViolation(reader.ReadString(), reader.ReadString()) { Kind = reader.ReadString() };
            }

            return new WalkPage(number, cursor, source, count, firstId, idsHash, next, nextPresent)
            {
                Total = hasTotal ? total : null,
                Violations = violations.Length == 0 ? [] : violations,
            };
        }

        private static void WriteText(BinaryWriter writer, string? text)
        {
            writer.Write(text is not null);
            if (text is not null)
            {
                writer.Write(text);
            }
        }

        private static string? ReadText(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
    }
}
