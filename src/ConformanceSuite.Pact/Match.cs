using System.Text.Json.Nodes;

namespace ConformanceSuite.Pact;

/// <summary>Pact matchers in the core's integration JSON: usable anywhere in a body, a query value or a header.</summary>
public static class Match
{
    public const string UuidPattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
    public const string IsoDateTimePattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$";

    public static JsonObject Regex(string example, string pattern) =>
        new() { ["pact:matcher:type"] = "regex", ["regex"] = pattern, ["value"] = example };

    public static JsonObject Type(JsonNode? example) =>
        new() { ["pact:matcher:type"] = "type", ["value"] = example?.DeepClone() };

    /// <summary>An array of at least <paramref name="min"/> elements, each like <paramref name="example"/>.</summary>
    public static JsonObject EachLike(JsonNode example, int min = 1) =>
        new() { ["pact:matcher:type"] = "type", ["min"] = min, ["value"] = new JsonArray(example.DeepClone()) };

    /// <summary>Exactly this value, even inside a type matcher (whose type matching would otherwise cascade down).</summary>
    public static JsonObject Equal(string value) => new() { ["pact:matcher:type"] = "equality", ["value"] = value };

    public static JsonObject Integer(long example) => new() { ["pact:matcher:type"] = "integer", ["value"] = example };

    public static JsonObject Boolean(bool example) => new() { ["pact:matcher:type"] = "boolean", ["value"] = example };

    public static JsonObject Uuid(string example) => Regex(example, UuidPattern);

    public static JsonObject DateTime(string example) => Regex(example, IsoDateTimePattern);

    /// <summary>One of the values (an enum), by regex.</summary>
    public static JsonObject OneOf(string example, params string[] values) =>
        Regex(example, "^(" + string.Join("|", values.Select(System.Text.RegularExpressions.Regex.Escape)) + ")$");
}
