using System.Globalization;
using System.Text.Json.Nodes;

namespace ConformanceSuite.Contracts;

/// <summary>RFC 6901 JSON pointers over <see cref="JsonNode"/>.</summary>
public static class JsonPointer
{
    /// <summary>The node at <paramref name="pointer"/>; <paramref name="found"/> tells an absent member from a JSON null.</summary>
    public static JsonNode? Read(JsonNode? node, string pointer, out bool found)
    {
        found = true;
        foreach (var token in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
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
