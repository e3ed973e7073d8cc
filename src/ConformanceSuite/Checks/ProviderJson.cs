using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConformanceSuite.Checks;

/// <summary>
/// How the suite reads a provider's JSON body. An object that names a member twice makes the body unusable:
/// RFC 8259 leaves which of the values counts to each reader, so a check would judge a guess (and the schema
/// library takes the last). Parsing such a body fails as a body that is not JSON does, with the name in the message.
/// </summary>
public static class ProviderJson
{
    public static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    /// <summary>Parses a body; throws <see cref="JsonException"/> when it is not JSON, or names a member twice.</summary>
    public static JsonNode? Parse(byte[]? body) => JsonNode.Parse(body ?? [], documentOptions: Options);

    /// <summary>Why a body is not JSON, in the parser's first sentence; null when it is.</summary>
    public static string? Reason(byte[]? body)
    {
        try
        {
            using var _ = JsonDocument.Parse(body ?? [], Options);
            return null;
        }
        catch (JsonException ex)
        {
            return Reason(ex, body);
        }
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

        var message = ex.Message;
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        var sentence = (end >= 0 ? message[..end] : message).TrimEnd('.');
        return sentence.Length > MaxReasonChars ? sentence[..MaxReasonChars] + "…" : sentence;
    }
}
