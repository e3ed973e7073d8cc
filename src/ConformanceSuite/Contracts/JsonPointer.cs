using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConformanceSuite.Contracts;

/// <summary>RFC 6901 JSON pointers over <see cref="JsonNode"/>, and over <see cref="JsonElement"/> for the pages of a walk.</summary>
public static class JsonPointer
{
    /// <summary>The pointer to the member <paramref name="name"/> of the root object (its '~' and '/' escaped).</summary>
    public static string Member(string name) => "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>A pointer's reference tokens, unescaped: split once for a pointer read on many values.</summary>
    public static string[] Tokens(string pointer) =>
        [.. pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    /// <summary>The value at the pointer given by its <paramref name="tokens"/>; false when there is none (a JSON null is found).</summary>
    public static bool TryRead(JsonElement element, string[] tokens, out JsonElement value)
    {
        value = element;
        foreach (var name in tokens)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object when value.TryGetProperty(name, out var child):
                    value = child;
                    break;
                case JsonValueKind.Array when int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < value.GetArrayLength():
                    value = value[i];
                    break;
                default:
                    value = default;
                    return false;
            }
        }

        return true;
    }

    /// <summary>As <see cref="Text(JsonNode?, string)"/>, of a parsed element: the same text for the same JSON.</summary>
    public static string? Text(JsonElement element, string[] tokens) =>
        !TryRead(element, tokens, out var value) ? null
        : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => Compact(value),
        };

    /// <summary>A value as <see cref="JsonNode.ToJsonString"/> writes it: compact, the default escaping, numbers as written.</summary>
    private static string Compact(JsonElement value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            value.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The node at <paramref name="pointer"/>; <paramref name="found"/> tells an absent member from a JSON null.</summary>
    public static JsonNode? Read(JsonNode? node, string pointer, out bool found)
    {
        found = true;
        foreach (var name in Tokens(pointer))
        {
            switch (node)
            {
                case JsonObject obj when obj.TryGetPropertyValue(name, out var child):
                    node = child;
                    break;
                case JsonArray arr when int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < arr.Count:
                    node = arr[i];
                    break;
                default:
                    found = false;
                    return null;
            }
        }

        return node;
    }

    public static JsonNode? Read(JsonNode? node, string pointer) => Read(node, pointer, out _);

    /// <summary>The objects of the array at <paramref name="pointer"/> (a list's items); none when there is no array there.</summary>
    public static List<JsonObject> Objects(JsonNode? node, string pointer) =>
        (Read(node, pointer) as JsonArray)?.OfType<JsonObject>().ToList() ?? [];

    private static readonly System.Text.Json.JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A value as JSON, for a message: strings quoted, nothing escaped that need not be, cut at <paramref name="max"/> characters; <paramref name="none"/> for no node.</summary>
    public static string Show(JsonNode? node, string none = "absent", int max = 80)
    {
        if (node is null)
        {
            return none;
        }

        var text = node.ToJsonString(Readable);
        return text.Length > max ? text[..max] + "…" : text;
    }

    /// <summary>The value as text: strings as they are, numbers and booleans in JSON form; null for JSON null or absent.</summary>
    public static string? Text(JsonNode? node, string pointer) =>
        Read(node, pointer) switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v => v.ToJsonString(),
            null => null,
            var other => other.ToJsonString(),
        };
}
