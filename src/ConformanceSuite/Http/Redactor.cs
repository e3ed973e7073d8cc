using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace ConformanceSuite.Http;

/// <summary>
/// Removes secret values from everything the suite records (evidence, logs, reports), in every form a
/// provider or a tool could echo them: raw, URL-encoded, base64 (standard and URL-safe, at any alignment
/// inside a longer encoded text), base32 (three alphabets, at any alignment too), base58 of the secret alone, ROT13,
/// written back to front, hex (either case), UTF-16 (either byte order, read as UTF-8 or as bytes), and escaped
/// character by character, in any mix: JSON (<c>\uXXXX</c>), percent-encoding (either case, <c>+</c> for a space,
/// once or twice) and HTML character references; each in any case of its letters, and with invisible characters
/// (zero-width, soft hyphen) between a secret's characters.
/// </summary>
public sealed class Redactor
{
    public const string Mask = "[redacted]";
    public const string InvalidMask = "[invalid test value]";

    /// <summary>The value sent in place of a credential when a check needs a wrong one. Never derived from a secret.</summary>
    public const string InvalidCredentialValue = "conformance-suite-invalid-credential-0000";

    private readonly List<string> secrets = [];
    private readonly HashSet<string> credentialNames = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "Proxy-Authorization", "Cookie" };
    private readonly Lock gate = new();
    private Patterns? pattern;

    /// <summary>
    /// The secrets' forms, for a quick search first and the pattern after: the literal forms, and the characters
    /// the secrets are made of. An escaped occurrence that is not literal holds an escape of one of those
    /// characters (<c>\uXXXX</c> or a backslash before a quote, backslash or slash; <c>%XX</c> or <c>+</c>;
    /// <c>&amp;#NN;</c>, <c>&amp;#xXX;</c> or a named reference); text with neither a literal form nor such an
    /// escape has nothing to mask, and the pattern (the costly part) is not run on it.
    /// </summary>
    private sealed record Patterns(string Alternatives, SearchValues<string> Literals, SearchValues<char> Characters, string[] Forms, string[] Secrets)
    {
        private Regex? all;
        private Regex? cutEnd;
        private PieceSet? pieces;
        private string[]? upperForms;
        /// <summary>The upper-cased forms end to end, for <see cref="InAnyForm"/>; empty when no separator can be used.</summary>
        private string? joinedForms;
        private SearchValues<char>? formCharacters;

        /// <summary>
        /// Every form of every secret, escaped in any mix: built on first use, as most runs' texts never get past the
        /// quick search. Interpreted: it is built again for every secret added. Making it was the costliest part of
        /// starting a session (about 20 ms of processor time for one API's secrets and their variants).
        /// </summary>
        public Regex All => all ??= new Regex(Alternatives, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(5));

        /// <summary>The secrets' first characters (<see cref="MinPartChars"/> or more), escaped in any mix, then maybe the start of one more escape, at the very end of a text: built on first use.</summary>
        public Regex CutEnd => cutEnd ??= new Regex(!Secrets.Any(s => s.Length > MinPartChars) ? "(?!)"
                : "(?:" + string.Join("|", Secrets.Where(s => s.Length > MinPartChars).Select(EscapedStart)) + ")" + PartialEscape + @"\z",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(5));

        /// <summary>Every piece of a secret's literal form of <see cref="PieceChars"/> characters (fewer for a short form: half of it, 4 at least), and the piece lengths: built on first use.</summary>
        public PieceSet Pieces => pieces ??= MakePieces(Forms);

        /// <summary>
        /// The literal forms upper-cased, for ordinal searches of an upper-cased text (<see cref="Upper"/>): a search
        /// ignoring case compares the two upper cases, and an ordinal one is many times faster (measured: 146 ns against
        /// 1.6 us for a header value in the forms of one token).
        /// </summary>
        public string[] UpperForms => upperForms ??= [.. Forms.Select(f => f.ToUpperInvariant())];

        /// <summary>
        /// True when <paramref name="text"/>, made of <see cref="FormCharacters"/> alone, is found in a literal form
        /// ignoring case. One ordinal search of the text upper-cased in the upper-cased forms written end to end, each
        /// after a character none of them holds and the text cannot hold, so that no match spans two forms; without
        /// such a character, or for a text with a surrogate, a search ignoring case of each form.
        /// </summary>
        public bool InAnyForm(ReadOnlySpan<char> text)
        {
            // A form that holds the separator puts it among the form characters: one test covers both.
            joinedForms ??= FormCharacters.Contains(FormSeparator) ? "" : string.Join(FormSeparator, UpperForms);
            if (joinedForms.Length > 0 && Upper(text, text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length]) is { IsEmpty: false } upper)
            {
                return joinedForms.AsSpan().IndexOf(upper) >= 0;
            }

            foreach (var form in Forms)
            {
                if (form.AsSpan().Contains(text, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// <paramref name="text"/> upper-cased into <paramref name="into"/>, as an ordinal search of <see cref="UpperForms"/>
        /// needs it; empty when it holds a surrogate (a pair's case is the pair's, not each half's: searched ignoring case instead).
        /// </summary>
        public static ReadOnlySpan<char> Upper(ReadOnlySpan<char> text, Span<char> into)
        {
            if (text.IsEmpty || text.ContainsAnyInRange('\uD800', '\uDFFF'))
            {
                return default;
            }

            text.ToUpperInvariant(into);
            return into;
        }

        /// <summary>A noncharacter of Unicode, which a secret is unlikely to hold (one that does has its forms searched one by one).</summary>
        private const char FormSeparator = '\uFFFF';

        /// <summary>
        /// Every character that may equal one of the literal forms' ignoring case (as <see cref="StringComparison.OrdinalIgnoreCase"/>
        /// compares them: a final sigma 'ς' for a 'σ' too, which is neither of its two cases): a text with any other is no
        /// part of a form. Built on first use.
        /// </summary>
        public SearchValues<char> FormCharacters => formCharacters ??= SearchValues.Create(CaseEquivalents(string.Concat(Forms)));

        public bool MayHold(string text)
        {
            // A byte order mark that opens the text (an Excel CSV's) stands before anything, inside no secret.
            if (text.AsSpan().IndexOfAny(Literals) >= 0 || text.AsSpan(text.StartsWith('\uFEFF') ? 1 : 0).IndexOfAny(InvisibleCharacters) >= 0)
            {
                return true;
            }

            for (var i = text.IndexOf('\\', StringComparison.Ordinal); i >= 0 && i + 1 < text.Length; i = text.IndexOf('\\', i + 1))
            {
                var next = text[i + 1];
                if (next is '"' or '\\' or '/' ? Characters.Contains(next)
                    : next == 'u' && i + 6 <= text.Length
                      && int.TryParse(text.AsSpan(i + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code)
                      && Characters.Contains((char)code))
                {
                    return true;
                }
            }

            if (Characters.Contains(' ') && text.Contains('+', StringComparison.Ordinal))
            {
                return true;
            }

            for (var i = text.IndexOf('%', StringComparison.Ordinal); i >= 0 && i + 2 < text.Length; i = text.IndexOf('%', i + 1))
            {
                if (byte.TryParse(text.AsSpan(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var b)
                    && (b >= 0x80 || Characters.Contains((char)b)
                        || (b == 0x25 && i + 4 < text.Length && byte.TryParse(text.AsSpan(i + 3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var twice)
                            && (twice >= 0x80 || Characters.Contains((char)twice)))))
                {
                    return true;
                }
            }

            for (var i = text.IndexOf('&', StringComparison.Ordinal); i >= 0; i = text.IndexOf('&', i + 1))
            {
                var end = text.AsSpan(i, Math.Min(12, text.Length - i)).IndexOf(';');
                if (end > 1 && Reference(text.AsSpan(i + 1, end - 1)) is { } c && Characters.Contains(c))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The character an HTML character reference (between '&amp;' and ';') stands for, when it is one the pattern knows.</summary>
        private static char? Reference(ReadOnlySpan<char> name) => name switch
        {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            ['#', 'x' or 'X', .. var hex] when int.TryParse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code) && code <= char.MaxValue => (char)code,
            ['#', .. var digits] when int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) && code <= char.MaxValue => (char)code,
            _ => null,
        };
    }

    public void AddSecret(string? value) => AddSecrets([value]);

    /// <summary>
    /// Adds <paramref name="values"/> as <see cref="AddSecret"/> does one by one, building the pattern once for all
    /// of them: building it is the costly part, and it grows with every secret it holds.
    /// </summary>
    public void AddSecrets(IEnumerable<string?> values)
    {
        lock (gate)
        {
            var added = false;
            foreach (var value in values)
            {
                // Very short values would redact ordinary text; they are still never logged as header values.
                if (!string.IsNullOrEmpty(value) && value.Length >= 4 && !secrets.Contains(value))
                {
                    secrets.Add(value);
                    added = true;
                }
            }

            if (added)
            {
                pattern = Shared(secrets);
            }
        }
    }

    public void AddCredentialName(string name) => credentialNames.Add(name);

    public bool IsCredentialName(string name) => credentialNames.Contains(name);

    /// <summary>
    /// <paramref name="text"/> with every secret masked (<see cref="ScrubSecrets"/>), the user information of each URL
    /// in it too, and the first part of a secret just before an ellipsis: a check that quotes a provider's value cut
    /// short ('…') may have cut it inside a secret, and its first part is no whole secret to be found.
    /// </summary>
    public string Scrub(string? text)
    {
        var scrubbed = WithoutUserInfo(ScrubSecrets(text));
        return scrubbed.Contains('…', StringComparison.Ordinal) ? WithoutCutParts(scrubbed) : scrubbed;
    }

    /// <summary><paramref name="text"/> with each first part of a secret that ends just before an ellipsis masked.</summary>
    private string WithoutCutParts(string text)
    {
        var current = pattern;
        if (current is null)
        {
            return text;
        }

        StringBuilder? sb = null;
        var copied = 0;
        for (var at = text.IndexOf('…', StringComparison.Ordinal); at >= 0; at = text.IndexOf('…', at + 1))
        {
            var part = CutPart(current, text, at);
            if (part > 0 && at - part >= copied)
            {
                (sb ??= new StringBuilder(text.Length)).Append(text, copied, at - part - copied).Append(Mask);
                copied = at;
            }
        }

        return sb is null ? text : sb.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// Every secret masked, and nothing else: what <see cref="ScrubBytes"/> relays to a verifier must differ from the
    /// provider's bytes in the secrets alone, and whether a URL holds a secret is asked of it.
    /// </summary>
    internal string ScrubSecrets(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var current = pattern;
        if (current is null || !current.MayHold(text))
        {
            return text;
        }

        return current.All.Replace(text, Mask);
    }

    /// <summary>
    /// The user information of a URL (<c>scheme://user:password@host</c>, its slashes maybe escaped as JSON writes them):
    /// what stands between the slashes and the last '@' before the host ends. A provider's link may carry a password of
    /// its own there, no secret the suite was given; it is credential-shaped all the same, and a report has no need of it.
    /// </summary>
    private static readonly Regex UserInfo = new(@"(?<=[A-Za-z][A-Za-z0-9+.\-]*:(?:\\?/){2})[^\s/\\?#""'<>`]*@",
        RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));

    /// <summary><paramref name="text"/> with the user information of each URL in it masked (<c>http://[redacted]@host/</c>).</summary>
    public static string WithoutUserInfo(string text) =>
        text.Contains('@', StringComparison.Ordinal) && (text.Contains("://", StringComparison.Ordinal) || text.Contains(@":\/\/", StringComparison.Ordinal))
            ? UserInfo.Replace(text, Mask + "@")
            : text;

    /// <summary>
    /// A text cut short (the first bytes of a body) with every secret masked, and its end too when it is the first
    /// part of a secret's literal form (of <see cref="MinPartChars"/> characters or more): the cut may have fallen
    /// inside a secret, and what the masks save may bring that part within an excerpt's bound.
    /// </summary>
    public string ScrubCut(string text)
    {
        var scrubbed = Scrub(text);
        var current = pattern;
        if (current is null || scrubbed.Length == 0)
        {
            return scrubbed;
        }

        var part = CutPart(current, scrubbed, scrubbed.Length);
        return part == 0 ? scrubbed : scrubbed[..^part] + Mask;
    }

    /// <summary>How many characters before <paramref name="end"/> in <paramref name="text"/> are the first part of a secret (0 for none).</summary>
    private static int CutPart(Patterns current, string text, int end)
    {
        var part = 0;
        // The text's last characters, as the end of a form's first part must hold them: where they stand in each form
        // says where such a part can end, longest first. With a surrogate among them, each length is tried instead.
        var last = Patterns.Upper(end >= MinPartChars ? text.AsSpan(end - MinPartChars, MinPartChars) : default, stackalloc char[MinPartChars]);
        var searched = !last.IsEmpty;
        if (searched)
        {
            var upperForms = current.UpperForms;
            for (var f = 0; f < upperForms.Length; f++)
            {
                var form = current.Forms[f];
                for (var before = Math.Min(form.Length - 1, end); before > part;)
                {
                    var at = upperForms[f].AsSpan(0, before).LastIndexOf(last);
                    var k = at + MinPartChars;
                    if (at < 0 || k <= part)
                    {
                        break;
                    }

                    if (text.AsSpan(0, end).EndsWith(form.AsSpan(0, k), StringComparison.OrdinalIgnoreCase))
                    {
                        part = k;
                        break;
                    }

                    before = k - 1;
                }
            }
        }

        foreach (var form in searched ? [] : current.Forms)
        {
            for (var k = Math.Min(form.Length - 1, end); k > part && k >= MinPartChars; k--)
            {
                if (char.ToUpperInvariant(form[k - 1]) == char.ToUpperInvariant(text[end - 1])
                    && text.AsSpan(0, end).EndsWith(form.AsSpan(0, k), StringComparison.OrdinalIgnoreCase))
                {
                    part = k;
                    break;
                }
            }
        }

        if (part == 0 && end > 0 && text.AsSpan(Math.Max(0, end - 64), Math.Min(64, end)).IndexOfAny('\\', '%', '&') >= 0)
        {
            // The first part of a secret escaped character by character (JSON's \uXXXX, %XX, references), maybe cut
            // inside its last escape: looked for in the text's last part only, as long as the longest escaped secret.
            var head = end == text.Length ? text : text[..end];
            var tail = end - Math.Min(end, current.Secrets.Max(s => s.Length) * 12);
            var match = current.CutEnd.Match(head, tail);
            if (match.Success && match.Length > 0)
            {
                part = end - match.Index;
            }
        }

        return part;
    }

    /// <summary>The shortest first part of a secret <see cref="ScrubCut"/> masks at the end of a cut text.</summary>
    public const int MinPartChars = 4;

    /// <summary>
    /// A body with every secret masked: UTF-8 text is scrubbed in every form; other bytes get each raw
    /// occurrence of a secret (its UTF-8 or UTF-16 bytes) overwritten with '*'. The input is returned as it is when nothing matched.
    /// </summary>
    public byte[] ScrubBytes(byte[] body)
    {
        if (body.Length == 0 || pattern is null)
        {
            return body;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return MaskRaw(body);
        }

        var scrubbed = ScrubSecrets(text);
        return ReferenceEquals(scrubbed, text) || scrubbed == text ? body : Encoding.UTF8.GetBytes(scrubbed);
    }

    public string HeaderValue(string name, string value)
    {
        if (IsCredentialName(name))
        {
            return value == InvalidCredentialValue ? InvalidMask : Mask;
        }

        return Scrub(value);
    }

    /// <summary>Every form of a secret the redactor masks, as literal strings (the forms escaped character by character are matched by pattern instead).</summary>
    public static IEnumerable<string> LiteralForms(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        yield return secret;
        yield return string.Concat(secret.Reverse()); // written back to front: a page shows it for anyone to read backwards
        yield return Uri.EscapeDataString(secret);
        yield return Convert.ToHexStringLower(bytes);
        yield return Convert.ToHexString(bytes);
        foreach (var fragment in Base64Fragments(bytes))
        {
            yield return fragment;
            yield return fragment.Replace('+', '-').Replace('/', '_');
        }

        // Base32 in the three alphabets in use (RFC 4648's, its extended hex, Crockford's; either case, as every form is
        // matched), wherever the secret starts in a longer value; base58 (Bitcoin's alphabet, which the others of its
        // kind mostly share) of the secret alone, as it has no fixed alignment; and ROT13.
        foreach (var base32 in new[] { SimpleBase.Base32.Rfc4648, SimpleBase.Base32.ExtendedHex, SimpleBase.Base32.Crockford })
        {
            foreach (var fragment in Base32Fragments(base32, bytes))
            {
                yield return fragment;
            }
        }

        if (SimpleBase.Base58.Bitcoin.Encode(bytes) is { Length: >= MinEncodedChars } base58)
        {
            yield return base58;
        }

        yield return Rot13(secret);

        // A UTF-16 body read as UTF-8 (as an excerpt is): each ASCII character with a NUL after it (little-endian)
        // or before it (big-endian); the NUL at the open end belongs to the next or last character.
        yield return Encoding.UTF8.GetString(Encoding.Unicode.GetBytes(secret)).TrimEnd('\0');
        yield return Encoding.UTF8.GetString(Encoding.BigEndianUnicode.GetBytes(secret)).TrimStart('\0');
    }

    /// <summary>
    /// The fewest characters of a base32 fragment or a base58 value that is masked: a shorter one (of a secret of a few
    /// bytes) would mask ordinary text by chance.
    /// </summary>
    private const int MinEncodedChars = 6;

    /// <summary>The base32 text a secret turns into wherever it starts in a longer encoded value (<see cref="Fragments"/>).</summary>
    private static IEnumerable<string> Base32Fragments(SimpleBase.Base32 encoding, byte[] bytes) =>
        Fragments(bytes, bitsPerChar: 5, alignments: 5, padded => encoding.Encode(padded, padding: false), MinEncodedChars);

    /// <summary>Each ASCII letter thirteen places on in its alphabet (ROT13); anything else as it is.</summary>
    private static string Rot13(string text) => string.Create(text.Length, text, static (into, from) =>
    {
        for (var i = 0; i < from.Length; i++)
        {
            into[i] = from[i] switch
            {
                >= 'a' and <= 'z' => (char)('a' + ((from[i] - 'a' + 13) % 26)),
                >= 'A' and <= 'Z' => (char)('A' + ((from[i] - 'A' + 13) % 26)),
                var other => other,
            };
        }
    });

    /// <summary>The base64 text a secret turns into wherever it starts in a longer encoded value (<see cref="Fragments"/>).</summary>
    private static IEnumerable<string> Base64Fragments(byte[] bytes) => Fragments(bytes, bitsPerChar: 6, alignments: 3, Convert.ToBase64String, 4);

    /// <summary>
    /// The text of an encoding of <paramref name="bitsPerChar"/> bits a character (base64's 6, base32's 5) that a secret
    /// turns into wherever it starts in a longer encoded value: for each of the <paramref name="alignments"/> of its bytes
    /// on the characters (3 for base64, 5 for base32), the characters all of whose bits are the secret's, when there are
    /// <paramref name="minChars"/> of them or more.
    /// </summary>
    private static IEnumerable<string> Fragments(byte[] bytes, int bitsPerChar, int alignments, Func<byte[], string> encode, int minChars)
    {
        for (var offset = 0; offset < alignments; offset++)
        {
            var padded = new byte[offset + bytes.Length];
            bytes.CopyTo(padded, offset);
            var encoded = encode(padded);
            // The first character after the bits of the bytes before the secret, and the end of the last one it fills.
            var skip = (offset * 8 + bitsPerChar - 1) / bitsPerChar;
            var keep = padded.Length * 8 / bitsPerChar;
            if (keep - skip >= minChars)
            {
                yield return encoded[skip..keep];
            }
        }
    }

    /// <summary>
    /// The patterns of these secrets, in this order: built once for each set and shared by every redactor that holds
    /// it, with what each builds on first use (its regular expressions above all). A run has one set for each API; a
    /// process that runs many sessions over the same secrets (the self-tests, a verification after a certification)
    /// builds them once. A few sets are kept; past that, the cache starts again.
    /// </summary>
    private static Patterns Shared(List<string> secrets)
    {
        // Each secret after its length: no two lists of secrets have the same key.
        var key = string.Concat(secrets.Select(secret => $"{secret.Length}:{secret}"));
        if (SharedPatterns.TryGetValue(key, out var built))
        {
            return built;
        }

        if (SharedPatterns.Count >= MaxSharedPatterns)
        {
            SharedPatterns.Clear();
        }

        return SharedPatterns.GetOrAdd(key, _ => Build(secrets));
    }

    private const int MaxSharedPatterns = 64;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Patterns> SharedPatterns = new(StringComparer.Ordinal);

    private static Patterns Build(IEnumerable<string> secrets)
    {
        var list = secrets.ToList();
        var literals = list.SelectMany(LiteralForms).Distinct(StringComparer.Ordinal).ToArray();
        var base64 = list.SelectMany(s => Base64Fragments(Encoding.UTF8.GetBytes(s)).SelectMany(f => new[] { f, f.Replace('+', '-').Replace('/', '_') }))
            .Distinct(StringComparer.Ordinal).ToArray();
        var alternatives = literals.Select(l => Loose(l, base64.Contains(l)))
            .Concat(list.Select(Escaped))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(a => a.Length);
        // The quick search also looks for the halves of each base64 form (pieces of 38 characters at most): a line break
        // every 76 characters (MIME, PEM) leaves one of them whole.
        var quick = literals.Concat(base64.SelectMany(Chunks)).Distinct(StringComparer.Ordinal).ToArray();
        // Ignoring case: a provider may echo a token upper-cased (a hex token read as case-insensitive), and a page shows
        // the same secret; the escapes' characters in both cases, and the invisible ones, for the quick search.
        var characters = BothCases(string.Concat(list).Concat(string.Concat(literals).Where(c => c is '/' or '+'))).Concat(Invisible).Distinct().ToArray();
        return new Patterns(string.Join("|", alternatives), SearchValues.Create(quick, StringComparison.OrdinalIgnoreCase), SearchValues.Create(characters), literals, [.. list]);
    }

    /// <summary>Every character equal to one of <paramref name="characters"/> ignoring case: the same upper or lower case.</summary>
    private static char[] CaseEquivalents(string characters)
    {
        var upper = characters.Select(char.ToUpperInvariant).ToHashSet();
        var lower = characters.Select(char.ToLowerInvariant).ToHashSet();
        return [.. Enumerable.Range(char.MinValue, char.MaxValue + 1).Select(i => (char)i)
            .Where(c => upper.Contains(char.ToUpperInvariant(c)) || lower.Contains(char.ToLowerInvariant(c)))];
    }

    /// <summary>Each of <paramref name="characters"/> as it is, upper-cased and lower-cased.</summary>
    private static IEnumerable<char> BothCases(IEnumerable<char> characters) =>
        characters.SelectMany(c => new[] { c, char.ToUpperInvariant(c), char.ToLowerInvariant(c) });

    /// <summary>Pieces of a base64 form such that a line break every 76 characters leaves at least one whole.</summary>
    private static IEnumerable<string> Chunks(string form)
    {
        var size = Math.Min(38, (form.Length + 1) / 2);
        if (size < MinPartChars)
        {
            yield break;
        }

        for (var at = 0; at < form.Length; at += size)
        {
            yield return form.Substring(at, Math.Min(size, form.Length - at));
        }
    }

    /// <summary>How long a piece of a secret <see cref="ScrubPieces(string?)"/> masks is, at most: pieces of a long form this long, of a short one half of it.</summary>
    public const int PieceChars = 8;

    /// <summary>Every piece of the forms, and the lengths of the pieces.</summary>
    private sealed record PieceSet(HashSet<string> Grams, int[] Lengths);

    private static PieceSet MakePieces(string[] forms)
    {
        var grams = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var form in forms)
        {
            var k = Math.Clamp(form.Length / 2, MinPartChars, PieceChars);
            for (var i = 0; i + k <= form.Length; i++)
            {
                grams.Add(form.Substring(i, k));
            }
        }

        return new PieceSet(grams, [.. grams.Select(g => g.Length).Distinct()]);
    }

    /// <summary>
    /// <see cref="Scrub"/>, and then every run of characters that is made of pieces of a secret's literal form
    /// (<see cref="PieceChars"/> characters each, half a short form) masked too: for a response header, where a
    /// provider may split a secret in two (half in one header, half in another, or a header folded over two lines)
    /// and neither half is the whole secret <see cref="Scrub"/> looks for. Short texts only (a header's name or value).
    /// </summary>
    public string ScrubPieces(string? text) => ScrubPieces([text ?? ""])[0];

    /// <summary>
    /// <see cref="ScrubPieces(string?)"/> of <paramref name="texts"/> read as one text, end to end: the values of a
    /// response's headers, in order. A piece may span two or more of them, so a secret split into pieces shorter than a
    /// piece (a header of 6 of its characters, the next of 6 more) is masked in each; a piece stays
    /// <see cref="PieceChars"/> long, so ordinary short values (a length, an ETag, a date) match no secret by chance.
    /// </summary>
    public string[] ScrubPieces(IReadOnlyList<string> texts)
    {
        var scrubbed = texts.Select(Scrub).ToArray();
        var current = pattern;
        if (current is null || scrubbed.Sum(t => t.Length) < MinPartChars)
        {
            return scrubbed;
        }

        // End to end: pieces one after the other, in one text or over several.
        var hidden = new bool[scrubbed.Length][];
        Hide(current, hidden, [.. scrubbed.Select((t, i) => (i, 0, t.Length))], scrubbed);

        // And with other texts between them: the texts (each value of a header's list) that are all of them a piece of a
        // secret, chained in order where each continues the one before, whatever stands between. An ordinary value is
        // seldom all of it a piece of a secret, and texts that continue one another for a piece's length are none by chance.
        var alone = new List<(int Text, int Start, int Length)>();
        for (var t = 0; t < scrubbed.Length; t++)
        {
            var text = scrubbed[t];
            for (var start = 0; start < text.Length;)
            {
                var end = text.IndexOf(", ", start, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end;
                // A value with a character no form has is no piece of one: not searched for.
                if (end > start && !text.AsSpan(start, end - start).ContainsAnyExcept(current.FormCharacters)
                    && current.InAnyForm(text.AsSpan(start, end - start)))
                {
                    alone.Add((t, start, end - start));
                }

                start = end + 2;
            }
        }

        if (alone.Count > 1)
        {
            HideChains(current, hidden, alone, scrubbed);
        }

        for (var t = 0; t < scrubbed.Length; t++)
        {
            if (hidden[t] is not { } hide)
            {
                continue;
            }

            // One mask for each run within this text: a run that goes on into the next text gets its own there.
            var part = scrubbed[t];
            var sb = new StringBuilder(part.Length);
            for (var i = 0; i < part.Length; i++)
            {
                if (!hide[i])
                {
                    sb.Append(part[i]);
                }
                else if (i == 0 || !hide[i - 1])
                {
                    sb.Append(Mask);
                }
            }

            scrubbed[t] = sb.ToString();
        }

        return scrubbed;
    }

    /// <summary>
    /// Marks in <paramref name="hidden"/> the characters of each chain of <paramref name="spans"/> (in order, not
    /// necessarily next to one another) that spell a part of a secret's literal form <see cref="PieceChars"/> long or more.
    /// </summary>
    private static void HideChains(Patterns current, bool[][] hidden, List<(int Text, int Start, int Length)> spans, string[] texts)
    {
        var used = new bool[spans.Count];
        foreach (var form in current.Forms)
        {
            for (var a = 0; a < spans.Count; a++)
            {
                var first = texts[spans[a].Text].AsSpan(spans[a].Start, spans[a].Length);
                for (var p = form.AsSpan().IndexOf(first, StringComparison.OrdinalIgnoreCase); p >= 0;)
                {
                    List<int> chain = [a];
                    var pos = p + first.Length;
                    for (var b = a + 1; b < spans.Count && pos < form.Length; b++)
                    {
                        if (form.AsSpan(pos).StartsWith(texts[spans[b].Text].AsSpan(spans[b].Start, spans[b].Length), StringComparison.OrdinalIgnoreCase))
                        {
                            chain.Add(b);
                            pos += spans[b].Length;
                        }
                    }

                    if (chain.Count > 1 && pos - p >= PieceChars)
                    {
                        chain.ForEach(c => used[c] = true);
                    }

                    var next = form.AsSpan(p + 1).IndexOf(first, StringComparison.OrdinalIgnoreCase);
                    p = next < 0 ? -1 : p + 1 + next;
                }
            }
        }

        for (var c = 0; c < spans.Count; c++)
        {
            if (used[c])
            {
                Array.Fill(hidden[spans[c].Text] ??= new bool[texts[spans[c].Text].Length], true, spans[c].Start, spans[c].Length);
            }
        }
    }

    /// <summary>
    /// Marks in <paramref name="hidden"/> each character of <paramref name="spans"/> (parts of <paramref name="texts"/>),
    /// read end to end as one text, that lies in a piece of a secret's literal form.
    /// </summary>
    private static void Hide(Patterns current, bool[][] hidden, IReadOnlyList<(int Text, int Start, int Length)> spans, string[] texts)
    {
        var joined = string.Concat(spans.Select(s => texts[s.Text].AsSpan(s.Start, s.Length).ToString()));
        var (grams, lengths) = current.Pieces;
        var lookup = grams.GetAlternateLookup<ReadOnlySpan<char>>();
        bool[]? covered = null;
        foreach (var k in lengths)
        {
            for (var i = 0; i + k <= joined.Length; i++)
            {
                // A piece is made of the forms' characters alone: a window with any other is none, and neither is
                // any window that holds that character (most of a header's text: a date, a type, a length).
                var other = joined.AsSpan(i, k).IndexOfAnyExcept(current.FormCharacters);
                if (other >= 0)
                {
                    i += other;
                }
                else if (lookup.Contains(joined.AsSpan(i, k)))
                {
                    covered ??= new bool[joined.Length];
                    Array.Fill(covered, true, i, k);
                }
            }
        }

        if (covered is null)
        {
            return;
        }

        var at = 0;
        foreach (var (text, start, length) in spans)
        {
            for (var i = 0; i < length; i++)
            {
                if (covered[at + i])
                {
                    (hidden[text] ??= new bool[texts[text].Length])[start + i] = true;
                }
            }

            at += length;
        }
    }

    /// <summary>The start of an escape cut short: a backslash (and a 'u' and up to three hex digits), a '%' (and one digit), an HTML reference's first characters.</summary>
    private const string PartialEscape = @"(?:\\(?:u[0-9a-fA-F]{0,3})?|%[0-9a-fA-F]?|&#?[xX]?[0-9a-fA-F]*|&[a-zA-Z]*)?";

    /// <summary>A pattern for the first <see cref="MinPartChars"/> or more characters of a secret, each as <see cref="Escaped"/> takes it.</summary>
    private static string EscapedStart(string secret)
    {
        // The first MinPartChars characters, then each further one optional (nested: a part is a prefix); the whole
        // secret is Scrub's, so a part stops one character short of it.
        var sb = new StringBuilder();
        for (var i = 0; i < secret.Length - 1; i++)
        {
            sb.Append(i >= MinPartChars ? "(?:" : "").Append(Escaped(secret[i].ToString()));
        }

        return sb.Insert(0, "(?:").Append(string.Concat(Enumerable.Repeat(")?", Math.Max(0, secret.Length - 1 - MinPartChars)))).Append(')').ToString();
    }

    /// <summary>
    /// A pattern for a literal form where a base64 '/' may be escaped as JSON writes it (<c>\/</c>, PHP's default)
    /// and a '/' or '+' percent-encoded as a URL's query has it; a base64 form (<paramref name="base64"/>) may be
    /// wrapped over lines anywhere.
    /// </summary>
    private static string Loose(string literal, bool base64 = false) => string.Join(base64 ? LineBreak : "", literal.Select(c => c switch
    {
        '/' => @"(?:/|\\/|%2[fF])",
        '+' => @"(?:\+|%2[bB])",
        _ => Regex.Escape(c.ToString()),
    }));

    /// <summary>A line break base64 may have between any two characters (MIME and PEM wrap it at 76 or 64): CRLF or LF, raw or as a JSON string's escapes.</summary>
    private const string LineBreak = @"(?:\r?\n|(?:\\r)?\\n)?";

    /// <summary>
    /// A pattern for the secret escaped character by character, in any mix: in JSON text (\uXXXX in either case; quotes,
    /// backslashes and slashes with a backslash), percent-encoded (its UTF-8 bytes as %XX in either case; '+' for a
    /// space) and as HTML character references (decimal, hexadecimal, or the named ones of the markup characters).
    /// </summary>
    private static string Escaped(string secret)
    {
        var sb = new StringBuilder();
        foreach (var c in secret)
        {
            if (sb.Length > 0)
            {
                sb.Append(Between);
            }

            var code = ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture);
            sb.Append("(?:").Append(Regex.Escape(c.ToString()));
            if (c is '"' or '\\' or '/')
            {
                sb.Append(@"|\\").Append(Regex.Escape(c.ToString()));
            }

            sb.Append(@"|\\u(?i:").Append(code).Append(')');
            if (!char.IsSurrogate(c))
            {
                sb.Append('|');
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    // %25 before the byte: a URL escaped twice (a link put into another link's query) writes '%' as %25.
                    sb.Append("%(?:25)?(?i:").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)).Append(')');
                }

                sb.Append("|&#0*").Append((int)c).Append(";|&#[xX]0*(?i:").Append(((int)c).ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append(");");
                sb.Append(c switch
                {
                    ' ' => @"|\+",
                    '&' => "|&amp;",
                    '<' => "|&lt;",
                    '>' => "|&gt;",
                    '"' => "|&quot;",
                    '\'' => "|&apos;",
                    _ => "",
                });
            }

            sb.Append(')');
        }

        return sb.ToString();
    }

    /// <summary>
    /// The characters a page shows as nothing (zero-width space, non-joiner and joiner, word joiner, BOM, soft hyphen):
    /// put between a secret's characters, the page still shows the secret.
    /// </summary>
    private const string Invisible = "\u00AD\u200B\u200C\u200D\u2060\uFEFF";

    private static readonly SearchValues<char> InvisibleCharacters = SearchValues.Create(Invisible);

    /// <summary>What <see cref="Escaped"/> lets stand between two characters of a secret: invisible characters, raw or escaped as its characters may be.</summary>
    private static readonly string Between = "(?:[" + Invisible + @"]|\\u(?:00ad|200[b-d]|2060|feff)|%(?:c2%ad|e2%80%8[b-d]|e2%81%a0|ef%bb%bf)"
        + "|&#(?:x0*(?:ad|200[b-d]|2060|feff)|0*(?:173|820[3-5]|8288|65279));)*";

    private byte[] MaskRaw(byte[] body)
    {
        byte[]? copy = null;
        List<string> current;
        lock (gate)
        {
            current = [.. secrets];
        }

        foreach (var needle in current.SelectMany(s => new[] { Encoding.UTF8, Encoding.Unicode, Encoding.BigEndianUnicode }.Select(e => e.GetBytes(s))))
        {
            var span = (copy ?? body).AsSpan();
            for (var at = span.IndexOf(needle); at >= 0; at = span.IndexOf(needle))
            {
                copy ??= (byte[])body.Clone();
                span = copy.AsSpan();
                span.Slice(at, needle.Length).Fill((byte)'*');
            }
        }

        return copy ?? body;
    }
}
