using System.Text.Json;

namespace ConformanceSuite.Contracts;

/// <summary>A parsed member's name read without a string of its own, for the hot loops that look names up by their characters.</summary>
internal static class JsonNames
{
    /// <summary>The longest name, in bytes, read into characters on the stack.</summary>
    public const int MaxStackName = 256;

    /// <summary>
    /// The member's name as it was sent, read into <paramref name="into"/> (at least <see cref="MaxStackName"/> characters):
    /// false for a name with an escape, or longer than that, which the caller reads its own way.
    /// </summary>
    public static bool TryPlain(JsonProperty member, Span<char> into, out ReadOnlySpan<char> name)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8PropertyName(member);
        if (raw.Length > MaxStackName || raw.IndexOf((byte)'\\') >= 0)
        {
            name = default;
            return false;
        }

        // UTF-8 is never shorter in bytes than in UTF-16 code units; the parse has checked it is UTF-8.
        name = into[..System.Text.Encoding.UTF8.GetChars(raw, into)];
        return true;
    }
}
