namespace ConformanceSuite.Checks;

/// <summary>
/// The page each id of a walk first came on, by the id's 64-bit hash (<see cref="WalkItem.TextHash(string)"/>): an open-addressed
/// table of two arrays, the hashes and the pages, at most three quarters full. 12 bytes a slot, so 16 to 32 bytes an id,
/// where a dictionary of the same pairs takes 28 bytes a slot, one slot or two an id.
/// </summary>
public sealed class FirstPages
{
    private ulong[] hashes = new ulong[1024];
    private int[] pages = new int[1024];

    /// <summary>How many ids are in the table.</summary>
    public int Count { get; private set; }

    /// <summary>Adds the id's hash with its page; when the hash is there already, false, with the page it came on first.</summary>
    public bool TryAdd(ulong hash, int page, out int firstPage)
    {
        // 0 marks an empty slot: the one hash of 2^64 that is 0 shares the slot of 1.
        hash = hash == 0 ? 1 : hash;
        var mask = hashes.Length - 1;
        for (var i = Slot(hash, mask); ; i = (i + 1) & mask)
        {
            if (hashes[i] == hash)
            {
                firstPage = pages[i];
                return false;
            }

            if (hashes[i] == 0)
            {
                hashes[i] = hash;
                pages[i] = page;
                firstPage = page;
                if (++Count * 4 > hashes.Length * 3)
                {
                    Grow();
                }

                return true;
            }
        }
    }

    /// <summary>The slot a hash is looked for first: its high bits, mixed (the hash is already uniform; this spreads runs).</summary>
    private static int Slot(ulong hash, int mask) => (int)((hash * 0x9E3779B97F4A7C15UL) >> 32) & mask;

    private void Grow()
    {
        var (oldHashes, oldPages) = (hashes, pages);
        hashes = new ulong[oldHashes.Length * 2];
        pages = new int[oldHashes.Length * 2];
        var mask = hashes.Length - 1;
        for (var j = 0; j < oldHashes.Length; j++)
        {
            if (oldHashes[j] == 0)
            {
                continue;
            }

            var i = Slot(oldHashes[j], mask);
            while (hashes[i] != 0)
            {
                i = (i + 1) & mask;
            }

            hashes[i] = oldHashes[j];
            pages[i] = oldPages[j];
        }
    }
}
