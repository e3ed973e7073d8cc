using System.Buffers.Binary;
using System.Numerics;

namespace ConformanceSuite.Csv;

/// <summary>A fast 64-bit hash of a row's bytes, eight bytes at a time, with a final avalanche.</summary>
public static class RowHash
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15UL;
    private const ulong Mixer = 0xC2B2AE3D27D4EB4FUL;

    public static ulong Of(ReadOnlySpan<byte> row)
    {
        var hash = 0x27D4EB2F165667C5UL ^ ((ulong)row.Length * Multiplier);
        while (row.Length >= 8)
        {
            hash = Step(hash, BinaryPrimitives.ReadUInt64LittleEndian(row));
            row = row[8..];
        }

        if (row.Length > 0)
        {
            ulong tail = 0;
            for (var i = row.Length - 1; i >= 0; i--)
            {
                tail = (tail << 8) | row[i];
            }

            hash = Step(hash, tail ^ 0xFF00000000000000UL);
        }

        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCDUL;
        hash ^= hash >> 33;
        hash *= 0xC4CEB9FE1A85EC53UL;
        return hash ^ (hash >> 33);
    }

    private static ulong Step(ulong hash, ulong word) => (BitOperations.RotateLeft(hash ^ (word * Mixer), 29) * Multiplier) + 0x165667B19E3779F9UL;
}
