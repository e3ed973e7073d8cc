using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConformanceSuite.Checks;

/// <summary>
/// How the suite reads a provider's JSON body. An object that names a member twice makes the body unusable:
/// RFC 8259 leaves which of the values counts to each reader, so a check would judge a guess (and the schema
/// library takes the last). So do bytes that are not UTF-8 (RFC 8259 section 8.1), and a string that escapes half
/// of a UTF-16 surrogate pair (<c>"\ud800"</c>), which is not Unicode text (section 8.2): the parser lets both
/// through, and reading such a string throws. Parsing such a body fails as a body that is not JSON does, with the
/// reason in the message.
/// </summary>
public static class ProviderJson
{
    /// <summary>
    /// The deepest nesting the suite reads (System.Text.Json's default). Deeper JSON is valid, yet the readers the suite
    /// and its schema library use recurse, and a body of megabytes of '[' would take the stack: past this the body is not
    /// judged, and the case is not checked (<see cref="TooDeep"/>), never failed.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>How <see cref="Reason(JsonException, byte[])"/> begins for JSON that nests deeper than <see cref="MaxDepth"/>.</summary>
    public const string TooDeep = "nested deeper than the suite reads";

    public static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = MaxDepth };

    /// <summary>Parses a body; throws <see cref="JsonException"/> when it is not JSON, names a member twice, is not UTF-8, or escapes half a surrogate pair.</summary>
    public static JsonNode? Parse(byte[]? body) => Read(body, b => JsonNode.Parse(b, documentOptions: Options));

    /// <summary>The body parsed, or null when it is not JSON (<see cref="Parse"/> says why).</summary>
    public static JsonNode? TryParse(byte[]? body)
    {
        try
        {
            return Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The same, as a document.</summary>
    public static JsonDocument Document(byte[]? body) => Read(body, b => JsonDocument.Parse(b, Options));

    /// <summary>
    /// The body parsed, then its text checked (<see cref="RefuseText"/>): a body that is not JSON keeps the parser's
    /// reason. The parser's check of duplicate names reads every name, and throws on a name it cannot read; that is
    /// one of the text's faults, and said as such.
    /// </summary>
    private static T Read<T>(byte[]? body, Func<byte[], T> parse)
    {
        T parsed;
        try
        {
            parsed = parse(body ?? []);
        }
        catch (InvalidOperationException ex)
        {
            RefuseText(body);
            throw new JsonException(ex.Message, ex);
        }

        try
        {
            RefuseText(body);
        }
        catch
        {
            (parsed as IDisposable)?.Dispose();
            throw;
        }

        return parsed;
    }

    /// <summary>
    /// Throws when the body is not UTF-8, or a string or a member name in it escapes half of a surrogate pair. A body
    /// with no <c>\ud</c> or <c>\uD</c> in it is not read for escapes.
    /// </summary>
    private static void RefuseText(ReadOnlySpan<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            var valid = 0;
            while (System.Text.Rune.DecodeFromUtf8(body[valid..], out _, out var length) == System.Buffers.OperationStatus.Done)
            {
                valid += length;
            }

            throw new JsonException($"the bytes at {valid} are not UTF-8, which RFC 8259 section 8.1 requires of JSON");
        }

        RefuseHalfSurrogates(body);
    }

    /// <summary>
    /// Throws <see cref="JsonException"/> when a string or a member name of the JSON <paramref name="text"/> escapes half
    /// of a surrogate pair: the parser lets it through, and reading the string throws later, wherever that is. A text
    /// with no <c>\ud</c> or <c>\uD</c> in it is not read. <paramref name="options"/> as the text was parsed with.
    /// </summary>
    public static void RefuseHalfSurrogates(ReadOnlySpan<byte> text, JsonReaderOptions options = default)
    {
        if (text.IndexOf("\\ud"u8) < 0 && text.IndexOf("\\uD"u8) < 0)
        {
            return;
        }

        var reader = new Utf8JsonReader(text, options);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw new JsonException($"the {(reader.TokenType == JsonTokenType.PropertyName ? "member name" : "string")} at byte {reader.TokenStartIndex} escapes half of a UTF-16 surrogate pair, which is not Unicode text (RFC 8259 section 8.2)");
                }
            }
        }
    }

    /// <summary>Why a body is not JSON, in the parser's first sentence; null when it is.</summary>
    public static string? Reason(byte[]? body)
    {
        try
        {
            using var _ = Document(body);
            return null;
        }
        catch (JsonException ex)
        {
            return Reason(ex, body);
        }
    }

    /// <summary>Whether <paramref name="body"/> is JSON that nests deeper than <see cref="MaxDepth"/>.</summary>
    public static bool PastMaxDepth(byte[]? body) => Depth(body) > MaxDepth;

    /// <summary>
    /// How deep <paramref name="body"/> nests when it is JSON whatever its depth (the reader does not recurse); 0 when it
    /// is not JSON at all, so a body that fails for another reason keeps that reason.
    /// </summary>
    private static int Depth(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = int.MaxValue });
        var deepest = 0;
        try
        {
            while (reader.Read())
            {
                deepest = Math.Max(deepest, reader.CurrentDepth + (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject ? 1 : 0));
            }
        }
        catch (JsonException)
        {
            return 0;
        }

        return deepest;
    }

    /// <summary>The longest reason given: the parser quotes the token it stopped at, which a body can make as long as itself.</summary>
    public const int MaxReasonChars = 200;

    /// <summary>
    /// The first sentence of the parser's message (a dot inside a quoted name does not end it), cut at
    /// <see cref="MaxReasonChars"/>; for a body that starts with a UTF-8 byte order mark, which the parser reports as
    /// a stray byte, that mark named.
    /// </summary>
    public static string Reason(JsonException ex, byte[]? body)
    {
        if (body is [0xEF, 0xBB, 0xBF, ..])
        {
            return "it starts with a UTF-8 byte order mark (EF BB BF), which RFC 8259 forbids a sender of JSON to add";
        }

        if (Depth(body) is > MaxDepth and var depth)
        {
            return $"{TooDeep}: {depth:N0} levels, the suite's bound is {MaxDepth}";
        }

        var message = ex.Message;
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        var sentence = (end >= 0 ? message[..end] : message).TrimEnd('.');
        return sentence.Length > MaxReasonChars ? sentence[..MaxReasonChars] + "…" : sentence;
    }
}
